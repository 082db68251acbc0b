package dev.pg2citus.partition;

import dev.pg2citus.read.ReadPartition;
import java.sql.SQLException;

/**
 * A copy worker's work failed: a partition's transaction was rolled back, or a connection could
 * not be opened. The SQLSTATE is the cause's; {@link #side()} says which database failed, and
 * {@link #partition()} which partition was rolled back (null when none was claimed yet), so the
 * {@link RetryPolicy} can copy the same partition again and name the connection it lost.
 */
public final class PartitionFailure extends SQLException {
  private static final long serialVersionUID = 1L;

  /** Which database failed. */
  public enum Side { SOURCE, TARGET }

  private final ReadPartition partition;
  private final Side side;

  PartitionFailure(String message, String sqlState, Throwable cause, ReadPartition partition, Side side) {
    super(message, sqlState, cause);
    this.partition = partition;
    this.side = side;
  }

  /** A connection to {@code side} that could not be opened, before any partition was claimed on it. */
  static PartitionFailure connecting(Side side, SQLException e) {
    return new PartitionFailure(e.getMessage(), e.getSQLState(), e, null, side);
  }

  /** The partition rolled back, or null. */
  public ReadPartition partition() {
    return partition;
  }

  public Side side() {
    return side;
  }
}
