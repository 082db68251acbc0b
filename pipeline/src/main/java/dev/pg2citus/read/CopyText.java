package dev.pg2citus.read;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
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
   * Finds where the first {@code starts.length} fields of {@code row} begin and end, in place;
   * returns how many it found (fewer when the row is shorter).
   */
  public static int fieldBounds(byte[] row, int[] starts, int[] ends) {
    int wanted = starts.length;
    int end = contentEnd(row);
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
    return field;
  }

  /** How many leading fields must be found to read {@code indexes}. */
  public static int fieldsNeeded(int[] indexes) {
    int wanted = 0;
    for (int index : indexes) {
      wanted = Math.max(wanted, index + 1);
    }
    return wanted;
  }

  /** Whether any of the fields at {@code indexes} is NULL ({@code \N}). */
  public static boolean anyNull(byte[] row, int[] starts, int[] ends, int[] indexes) {
    for (int index : indexes) {
      if (ends[index] - starts[index] == 2 && row[starts[index]] == '\\' && row[starts[index] + 1] == 'N') {
        return true;
      }
    }
    return false;
  }

  /**
   * The fields at {@code indexes} (in that order, which need not be the row's) joined by tabs, or
   * null when one of them is NULL.
   */
  public static String fields(byte[] row, int[] indexes) {
    int[] starts = new int[fieldsNeeded(indexes)];
    int[] ends = new int[starts.length];
    int found = fieldBounds(row, starts, ends);
    if (found < starts.length) {
      throw new IllegalArgumentException("COPY row has only " + found + " fields, " + starts.length + " expected");
    }
    if (anyNull(row, starts, ends, indexes)) {
      return null;
    }
    StringBuilder key = new StringBuilder();
    for (int n = 0; n < indexes.length; n++) {
      if (n > 0) {
        key.append('\t');
      }
      key.append(new String(row, starts[indexes[n]], ends[indexes[n]] - starts[indexes[n]], StandardCharsets.UTF_8));
    }
    return key.toString();
  }

  /** The bytes {@code row[from, to)} as text, still escaped. */
  public static String text(byte[] row, int from, int to) {
    return new String(row, from, to - from, StandardCharsets.UTF_8);
  }

  /**
   * The row as text without its line end, for reject files and messages. A row that is not UTF-8 (a
   * SQL_ASCII source's) has each byte above 0x7F written as COPY's octal escape ({@code \351}),
   * which COPY reads back as the same byte: the text shows the bytes as they were.
   */
  public static String text(byte[] row) {
    int end = contentEnd(row);
    if (notUtf8At(row) < 0) {
      return new String(row, 0, end, StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      int b = row[i] & 0xFF;
      if (b < 0x80) {
        out.append((char) b);
      } else {
        out.append('\\').append(Integer.toOctalString(b));
      }
    }
    return out.toString();
  }

  /** Where the first byte that is not part of a UTF-8 character is in {@code row}, or -1 when it is all UTF-8. */
  public static int notUtf8At(byte[] row) {
    int i = 0;
    while (i < row.length && row[i] >= 0) {
      i++; // ASCII, the common case, without a decoder
    }
    if (i == row.length) {
      return -1;
    }
    ByteBuffer in = ByteBuffer.wrap(row);
    CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(row.length), true);
    return result.isError() ? in.position() : -1;
  }

  private static int contentEnd(byte[] row) {
    return row.length > 0 && row[row.length - 1] == NEWLINE ? row.length - 1 : row.length;
  }
}
