package dev.pg2citus.write;

import dev.pg2citus.read.CopyText;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one partition's rows go, inside the partition's transaction: the coordinator's COPY
 * ({@link CopySink}) or the shard tables on the workers ({@link ShardSink}). Rows are COPY text
 * with their line end; a row may come with a head, the added distribution value, as its first field.
 * The counts and the rejected rows are kept here, alike for both.
 */
public abstract class RowSink {
  private final List<RejectedRow> rejects = new ArrayList<>();
  private long rows;
  private long bytes;

  /** Writes a source row as it is. */
  public final void add(byte[] row) throws SQLException {
    add(null, 0, 0, row);
  }

  /**
   * Writes {@code head[offset, offset + length)}, a tab, then the source row: the row with its
   * added distribution value as the first column. With no {@code head}, the row alone.
   */
  public abstract void add(byte[] head, int offset, int length, byte[] row) throws SQLException;

  /** Counts a row of {@code size} bytes given to be written. */
  protected final void counted(long size) {
    rows++;
    bytes += size;
  }

  /** A row refused before it reached the target (its distribution value could not be found). */
  public final void reject(byte[] row, String reason) {
    rows++;
    rejected(CopyText.text(row), reason);
  }

  /** A row, as COPY text, refused with {@code reason} (it was counted when given). */
  protected final void rejected(String sourceRow, String reason) {
    rejects.add(new RejectedRow(sourceRow, reason));
  }

  /** Rows given to the sink, written or rejected. */
  public final long rows() {
    return rows;
  }

  /** Bytes of the rows given to be written. */
  public final long bytes() {
    return bytes;
  }

  /** The rows rejected so far, with why. */
  public final List<RejectedRow> rejects() {
    return rejects;
  }

  /** Writes what is still held; returns the rows written so far. */
  public abstract long flush() throws SQLException;

  /** Ends an open COPY without committing it, so the partition's transaction can roll back. */
  public abstract void abort() throws SQLException;

  /** COPY statements written to isolate rejected rows, so far. */
  public abstract long isolationCopies();
}
