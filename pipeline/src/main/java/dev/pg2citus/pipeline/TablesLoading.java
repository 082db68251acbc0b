package dev.pg2citus.pipeline;

import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.ddl.PostDataRun;
import dev.pg2citus.runrecord.RunRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which tables still wait for rows, read from the run record on the target: the launcher learns
 * it this way on every runner, a remote Flink cluster included, without a signal from inside the
 * Beam graph. Asked from one thread (the post-data scheduler), on a connection of its own.
 */
final class TablesLoading implements PostDataRun.Loading, AutoCloseable {
  private final ConnectionSpec target;
  private final Map<String, TableName> byRecordName = new HashMap<>();
  private Connection connection;

  /** {@code leaves}: the tables the record has partitions of. */
  TablesLoading(ConnectionSpec target, List<Table> leaves) {
    this.target = target;
    leaves.forEach(t -> byRecordName.put(t.name().toString(), t.name()));
  }

  @Override
  public Set<TableName> stillLoading() throws SQLException {
    try {
      if (connection == null) {
        connection = target.open();
      }
      return RunRecord.on(connection).queue().tablesLoading().stream().map(byRecordName::get).filter(Objects::nonNull)
          .collect(Collectors.toSet());
    } catch (SQLException e) {
      try {
        close(); // the next call opens a new connection
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  @Override
  public void close() throws SQLException {
    Connection c = connection;
    connection = null;
    if (c != null) {
      c.close();
    }
  }
}
