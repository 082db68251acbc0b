package dev.pg2citus.read;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a table's rows are read: one partition of it, from the source, under the run's snapshot,
 * handed on row by row as COPY text ({@link SourceCopy}). A failure of the source is a {@link
 * SourceException}; what the handler throws passes through as it is.
 */
public final class PartitionReader {
  private final Connection source;
  private final String snapshot;

  /** @param snapshot the exported snapshot to read in, or null to read the source as it is */
  public PartitionReader(Connection source, String snapshot) {
    this.source = source;
    this.snapshot = snapshot;
  }

  /** Streams the rows of {@code partition} of {@code table} to {@code handler}, in one read transaction. */
  public void read(TableCopy table, ReadPartition partition, SourceCopy.RowHandler handler) throws SQLException {
    SourceCopy.stream(source, snapshot, table.copyOutSql(partition.predicate()), handler);
  }
}
