package dev.pg2citus.write;

import java.sql.SQLException;
import java.util.List;

/**
 * Where one partition's rows go, inside the partition's transaction: the coordinator's COPY
 * ({@link CopySink}) or the shard tables on the workers ({@link ShardSink}). Rows are COPY text
 * with their line end; a row may come with a head, the added distribution value, as its first field.
 */
public interface RowSink {
  /** Writes a source row as it is. */
  default void add(byte[] row) throws SQLException {
    add(null, 0, 0, row);
  }

  /**
   * Writes {@code head[offset, offset + length)}, a tab, then the source row: the row with its
   * added distribution value as the first column. With no {@code head}, the row alone.
   */
  void add(byte[] head, int offset, int length, byte[] row) throws SQLException;

  /** A row refused before it reached the target (its distribution value could not be found). */
  void reject(byte[] row, String reason);

  /** Rows given to the sink, written or rejected. */
  long rows();

  /** Bytes of the rows given to be written. */
  long bytes();

  /** Writes what is still held; returns the rows written so far. */
  long flush() throws SQLException;

  /** The rows rejected so far, with why. */
  List<RejectedRow> rejects();

  /** Ends an open COPY without committing it, so the partition's transaction can roll back. */
  void abort() throws SQLException;

  /** COPY statements written to isolate rejected rows, so far. */
  long isolationCopies();
}
