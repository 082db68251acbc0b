package dev.pg2citus.write;

import dev.pg2citus.read.ReadPartition;
import java.sql.SQLException;

/**
 * A partition's transaction failed and was rolled back: the message names the partition, the
 * SQLSTATE is the cause's, and {@link #partition()} says which one it was (null when the failure
 * came while claiming one), so a worker can copy the same partition again.
 */
public final class PartitionFailure extends SQLException {
  private static final long serialVersionUID = 1L;
  private final ReadPartition partition;

  PartitionFailure(String message, String sqlState, Throwable cause, ReadPartition partition) {
    super(message, sqlState, cause);
    this.partition = partition;
  }

  /** The partition rolled back, or null. */
  public ReadPartition partition() {
    return partition;
  }
}
