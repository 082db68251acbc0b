package dev.pg2citus.read;

import java.nio.charset.StandardCharsets;

/**
 * Fields of a row in PostgreSQL's COPY text format, taken as they are, without unescaping. A tab
 * byte always separates fields (tabs inside values are written {@code \t}), and UTF-8 never uses
 * the tab byte inside a character, so splitting the bytes is exact. Keys compared in this escaped
 * form match as long as both sides were read through COPY text, which every read here is.
 */
public final class CopyText {
  /** How COPY text writes NULL. */
  public static final String NULL = "\\N";
  private static final byte TAB = '\t';
  private static final byte NEWLINE = '\n';

  private CopyText() {}

  /**
   * The fields at {@code indexes} (in that order, which need not be the row's) joined by tabs, or
   * null when one of them is NULL.
   */
  public static String fields(byte[] row, int[] indexes) {
    int end = contentEnd(row);
    int wanted = 0;
    for (int index : indexes) {
      wanted = Math.max(wanted, index + 1);
    }
    int[] starts = new int[wanted];
    int[] ends = new int[wanted];
    int field = 0;
    int start = 0;
    for (int i = 0; i <= end && field < wanted; i++) {
      if (i == end || row[i] == TAB) {
        starts[field] = start;
        ends[field] = i;
        field++;
        start = i + 1;
      }
    }
    if (field < wanted) {
      throw new IllegalArgumentException("COPY row has only " + field + " fields, " + wanted + " expected");
    }
    StringBuilder key = new StringBuilder();
    for (int n = 0; n < indexes.length; n++) {
      String value = new String(row, starts[indexes[n]], ends[indexes[n]] - starts[indexes[n]], StandardCharsets.UTF_8);
      if (value.equals(NULL)) {
        return null;
      }
      if (n > 0) {
        key.append('\t');
      }
      key.append(value);
    }
    return key.toString();
  }

  /** The row without its first field: the source row of a row whose distribution value was put in front. */
  public static byte[] withoutFirst(byte[] row) {
    for (int i = 0; i < row.length; i++) {
      if (row[i] == TAB) {
        byte[] out = new byte[row.length - i - 1];
        System.arraycopy(row, i + 1, out, 0, out.length);
        return out;
      }
    }
    return row;
  }

  /** Splits a row into its first {@code keyFields} fields and the rest, both still escaped. */
  public static String[] splitAfter(byte[] row, int keyFields) {
    int end = contentEnd(row);
    int seen = 0;
    for (int i = 0; i < end; i++) {
      if (row[i] == TAB && ++seen == keyFields) {
        return new String[] {
            new String(row, 0, i, StandardCharsets.UTF_8),
            new String(row, i + 1, end - i - 1, StandardCharsets.UTF_8)};
      }
    }
    throw new IllegalArgumentException("COPY row has fewer than " + (keyFields + 1) + " fields");
  }

  /** {@code value}, a tab, then the row: a new first column. */
  public static byte[] prepend(String value, byte[] row) {
    byte[] head = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + 1 + row.length];
    System.arraycopy(head, 0, out, 0, head.length);
    out[head.length] = TAB;
    System.arraycopy(row, 0, out, head.length + 1, row.length);
    return out;
  }

  /** The row as text without its line end, for reject files and messages. */
  public static String text(byte[] row) {
    return new String(row, 0, contentEnd(row), StandardCharsets.UTF_8);
  }

  private static int contentEnd(byte[] row) {
    return row.length > 0 && row[row.length - 1] == NEWLINE ? row.length - 1 : row.length;
  }
}
