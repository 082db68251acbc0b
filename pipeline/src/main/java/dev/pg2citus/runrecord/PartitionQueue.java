package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data phase's work queue, in {@code pg2citus.partitions}: every read partition as the first
 * run planned it, whether it is done, and what it wrote. Whichever copy worker is free claims the
 * next partition, whatever runner spread the workers; a partition's "done" mark commits in the
 * transaction that writes its rows.
 */
public final class PartitionQueue {
  static final String TABLE = RunRecord.SCHEMA + ".partitions";
  static final String CREATE = "CREATE TABLE " + TABLE + " (table_name text NOT NULL, partition_no int NOT NULL,"
      + " predicate text NOT NULL, estimated_rows bigint NOT NULL, done boolean NOT NULL DEFAULT false,"
      + " rows_read bigint, rows_written bigint, rows_rejected bigint, bytes bigint, millis bigint,"
      + " finished_at timestamptz, PRIMARY KEY (table_name, partition_no))";
  private static final String COLUMNS = "table_name, partition_no, predicate, estimated_rows";

  private final Connection target;

  PartitionQueue(Connection target) {
    this.target = target;
  }

  /** Fills the queue with the planned partitions, in one transaction. */
  public void plan(List<ReadPartition> partitions) throws SQLException {
    target.setAutoCommit(false);
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE + " (" + COLUMNS
        + ") VALUES (?, ?, ?, ?)")) {
      for (ReadPartition p : partitions) {
        ps.setString(1, p.table());
        ps.setInt(2, p.number());
        ps.setString(3, p.predicate());
        ps.setLong(4, p.estimatedRows());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    target.commit();
    target.setAutoCommit(true);
  }

  /** The partitions not done yet, as the first run planned them, largest first. */
  public List<ReadPartition> pending() throws SQLException {
    return RunRecord.query(target, "SELECT " + COLUMNS + " FROM " + TABLE
        + " WHERE NOT done ORDER BY estimated_rows DESC, table_name, partition_no", PartitionQueue::partition);
  }

  /** The leaf tables ({@code schema.name}) with a partition not done yet: those still waiting for rows. */
  public Set<String> tablesLoading() throws SQLException {
    return new HashSet<>(RunRecord.query(target, "SELECT DISTINCT table_name FROM " + TABLE + " WHERE NOT done",
        rs -> rs.getString(1)));
  }

  /** The tables with partitions done, each with how many of how many: {@code public.ads (3 of 20 partitions)}. */
  public List<String> doneByTable() throws SQLException {
    return RunRecord.query(target, "SELECT table_name, count(*) FILTER (WHERE done), count(*) FROM " + TABLE
        + " GROUP BY table_name HAVING bool_or(done) ORDER BY table_name",
        rs -> rs.getString(1) + " (" + rs.getLong(2) + " of " + rs.getLong(3) + " partitions)");
  }

  /** How many partitions are done, and how many there are. */
  long[] doneAndAll() throws SQLException {
    return RunRecord.query(target, "SELECT count(*) FILTER (WHERE done), count(*) FROM " + TABLE,
        rs -> new long[] {rs.getLong(1), rs.getLong(2)}).get(0);
  }

  /**
   * Claims a given partition inside the caller's open transaction: locks its row, and says whether
   * it still needs doing. A second attempt at the same partition waits here for the first to end.
   */
  public boolean claim(ReadPartition p) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "SELECT done FROM " + TABLE + " WHERE table_name = ? AND partition_no = ? FOR UPDATE")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(p + " is not in " + TABLE + "; the run record was replaced");
        }
        return !rs.getBoolean(1);
      }
    }
  }

  /**
   * Claims the smallest partition of {@code tables} that is neither done nor claimed by another
   * worker, inside the caller's open transaction (its row stays locked until that transaction
   * ends); null when none is left.
   *
   * <p>Smallest first: partitions are at most {@code load.split-threshold} rows, so the order
   * costs the last one little, and small tables (the parents and lookup tables others reference)
   * are done early, so their keys are built before the large tables that reference them are in.
   */
  public ReadPartition claimNext(Collection<String> tables) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
        + " WHERE NOT done AND table_name = ANY (?)"
        + " ORDER BY estimated_rows, table_name, partition_no LIMIT 1 FOR UPDATE SKIP LOCKED")) {
      ps.setArray(1, target.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? partition(rs) : null;
      }
    }
  }

  /**
   * Marks a claimed partition done, in the caller's transaction; {@code finished_at} is the moment
   * of marking, just before the commit ({@code now()} would be when the transaction began).
   */
  public void markDone(ReadPartition p, PartitionDone done) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("UPDATE " + TABLE + " SET done = true, rows_read = ?,"
        + " rows_written = ?, rows_rejected = ?, bytes = ?, millis = ?, finished_at = clock_timestamp()"
        + " WHERE table_name = ? AND partition_no = ?")) {
      ps.setLong(1, done.rowsRead());
      ps.setLong(2, done.rowsWritten());
      ps.setLong(3, done.rowsRejected());
      ps.setLong(4, done.bytes());
      ps.setLong(5, done.millis());
      ps.setString(6, p.table());
      ps.setInt(7, p.number());
      ps.executeUpdate();
    }
  }

  /** Totals of the done partitions per table, in the order of {@code tables} (zeros for a table without any). */
  public Map<String, TableTotals> totals(List<String> tables) throws SQLException {
    Map<String, TableTotals> found = new LinkedHashMap<>();
    sums("").forEach(t -> found.put(t.table(), t));
    Map<String, TableTotals> result = new LinkedHashMap<>();
    tables.forEach(t -> result.put(t, found.getOrDefault(t, new TableTotals(t, 0, 0, 0, 0, 0))));
    return result;
  }

  /** Totals of the tables whose partitions are all done, by table name. */
  public List<TableTotals> tablesDone() throws SQLException {
    return sums(" HAVING bool_and(done) ORDER BY table_name");
  }

  private List<TableTotals> sums(String having) throws SQLException {
    return RunRecord.query(target, "SELECT table_name, coalesce(sum(rows_read), 0), coalesce(sum(rows_written), 0),"
        + " coalesce(sum(rows_rejected), 0), coalesce(sum(bytes), 0), coalesce(sum(millis), 0) FROM " + TABLE
        + " GROUP BY table_name" + having, rs -> new TableTotals(rs.getString(1), rs.getLong(2), rs.getLong(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6)));
  }

  private static ReadPartition partition(ResultSet rs) throws SQLException {
    return new ReadPartition(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4));
  }
}
