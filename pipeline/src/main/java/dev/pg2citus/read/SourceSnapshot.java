package dev.pg2citus.read;

import dev.pg2citus.config.ConnectionSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The moment of the source that the whole migration reads: a REPEATABLE READ transaction held open
 * on the launcher for the length of the run, whose snapshot every reader imports with
 * {@link #begin}. The launcher also plans partitions and counts rows through it, so plan, data and
 * verification all see the same rows, however the source is written meanwhile.
 *
 * <p>With the snapshot turned off ({@code load.consistent-snapshot: false}) there is no id; readers
 * and launcher each see the source as it is when they look.
 */
public final class SourceSnapshot implements AutoCloseable {
  private final Connection connection;
  private final String id;
  private final SourceChanges changesBefore;
  private final boolean imported;

  private SourceSnapshot(Connection connection, String id, SourceChanges changesBefore, boolean imported) {
    this.connection = connection;
    this.id = id;
    this.changesBefore = changesBefore;
    this.imported = imported;
  }

  /**
   * Opens the holding transaction and exports its snapshot (or, when not {@code consistent}, only
   * connects): {@code earlier} itself when that can still be imported (the session that exported it
   * still holds it), else a new one.
   *
   * @param earlier the snapshot id of the run being resumed, or null
   * @param tables the tables ({@code schema.name} → quoted) whose write counters are read just before
   *     the snapshot is taken ({@link #changesBefore()}), so that any write it does not see moves them
   */
  public static SourceSnapshot open(ConnectionSpec source, boolean consistent, String earlier,
      Map<String, String> tables) throws SQLException {
    Connection c = source.open();
    try {
      SourceChanges before = SourceChanges.read(c, tables);
      if (!consistent) {
        return new SourceSnapshot(c, null, before, false);
      }
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      c.setReadOnly(true);
      boolean imported = earlier != null && imported(c, earlier);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
        rs.next();
        return new SourceSnapshot(c, rs.getString(1), before, imported);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /** Imports snapshot {@code id} as the transaction's; false, the transaction rolled back, when it is gone. */
  private static boolean imported(Connection c, String id) throws SQLException {
    try {
      begin(c, id);
      return true;
    } catch (SQLException e) {
      c.rollback(); // 22023: the exporting transaction has ended; a new snapshot is taken instead
      return false;
    }
  }

  /** The write counters of the tables given to {@link #open}, read just before the snapshot was taken. */
  public SourceChanges changesBefore() {
    return changesBefore;
  }

  /** Whether the snapshot is the earlier run's, imported. */
  public boolean imported() {
    return imported;
  }

  /** The exported snapshot id, or null when the snapshot is off. */
  public String id() {
    return id;
  }

  /** The launcher's connection, inside the snapshot when there is one. */
  public Connection connection() {
    return connection;
  }

  /**
   * Starts a read transaction on a worker's connection, in snapshot {@code id} when it is not null.
   * The caller commits (or rolls back) when the partition is read.
   */
  public static void begin(Connection c, String id) throws SQLException {
    if (c.getAutoCommit()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      c.setReadOnly(true);
    }
    if (id != null) {
      try (Statement st = c.createStatement()) {
        // Must be the transaction's first statement; the id comes from pg_export_snapshot.
        st.execute("SET TRANSACTION SNAPSHOT '" + id.replace("'", "''") + "'");
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } finally {
      connection.close();
    }
  }
}
