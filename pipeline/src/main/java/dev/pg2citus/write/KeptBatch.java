package dev.pg2citus.write;

import dev.pg2citus.read.CopyText;
import java.util.Arrays;

/**
 * Rows as they were written, back to back, with where each begins and where its source row starts
 * (after an added first column): what {@code on-error: reject} keeps until the batch commits, to write
 * it again without its bad rows, and the shard path's window of rows.
 */
final class KeptBatch {
  private static final byte TAB = '\t';

  private byte[] bytes = new byte[64 * 1024];
  private int length;
  private int[] starts = new int[1024];
  private int[] sourceStarts = new int[1024];
  private int count;

  /** Adds {@code head[offset, offset + headLength)} and a tab (when there is a head), then {@code row}. */
  void add(byte[] head, int offset, int headLength, byte[] row) {
    int size = (head == null ? 0 : headLength + 1) + row.length;
    if (count + 1 >= starts.length) {
      starts = Arrays.copyOf(starts, starts.length * 2);
      sourceStarts = Arrays.copyOf(sourceStarts, sourceStarts.length * 2);
    }
    if (length + size > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(length + size, bytes.length * 2));
    }
    starts[count] = length;
    if (head != null) {
      System.arraycopy(head, offset, bytes, length, headLength);
      bytes[length + headLength] = TAB;
      length += headLength + 1;
    }
    sourceStarts[count] = length;
    System.arraycopy(row, 0, bytes, length, row.length);
    length += row.length;
    count++;
    starts[count] = length;
  }

  int size() {
    return count;
  }

  /** The rows' bytes; rows {@code [i, j)} are {@code bytes()[start(i), start(j))}. */
  byte[] bytes() {
    return bytes;
  }

  /** Where row {@code i} begins; {@code start(size())} is the end of the last. */
  int start(int i) {
    return starts[i];
  }

  /** Where row {@code i}'s source row begins, after its head and tab (at {@link #start} without a head). */
  int sourceStart(int i) {
    return sourceStarts[i];
  }

  /** Row {@code i} as the source had it (without an added first column), without its line end. */
  String sourceRow(int i) {
    int end = starts[i + 1];
    if (end > sourceStarts[i] && bytes[end - 1] == '\n') {
      end--;
    }
    return CopyText.text(bytes, sourceStarts[i], end);
  }

  /** Leaves out the rows marked in {@code drop}, keeping the others in order, in place. */
  void remove(boolean[] drop) {
    int kept = 0;
    int at = 0;
    for (int i = 0; i < count; i++) {
      int size = starts[i + 1] - starts[i];
      if (!drop[i]) {
        System.arraycopy(bytes, starts[i], bytes, at, size);
        sourceStarts[kept] = at + sourceStarts[i] - starts[i];
        starts[kept] = at;
        at += size;
        kept++;
      }
    }
    count = kept;
    length = at;
    starts[count] = length;
  }

  void clear() {
    length = 0;
    count = 0;
  }
}
