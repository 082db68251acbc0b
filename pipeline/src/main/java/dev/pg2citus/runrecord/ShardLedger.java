package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.write.RejectedRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of the run record that lives on the workers, for the shard write path: in {@code
 * pg2citus_shards.ledger} on each node, one row per (run, partition, node) that committed in the same
 * worker transaction as the partition's rows on that node, with the hash ranges of the shards it
 * wrote and the rows of them the node refused (so an attempt that skips them still counts them
 * rejected). A partition copied again (a retry, {@code --resume}) skips the rows whose hash lies in a
 * range some node's ledger holds: ranges, not shard ids or nodes, so a shard moved or split between two
 * attempts is still recognised. Worker-local (not distributed, not named {@code citus_…}); a new run
 * has a new {@link RunRecord#runId}, so earlier runs' rows are ignored.
 */
public final class ShardLedger {
  static final String SCHEMA = "pg2citus_shards";
  static final String TABLE = SCHEMA + ".ledger";

  private ShardLedger() {}

  /**
   * Creates the ledger on a node if it has none (autocommit), with DDL propagation off: it is that
   * node's own table, even on a coordinator that holds shards.
   */
  public static void create(Connection node) throws SQLException {
    try (Statement st = node.createStatement()) {
      st.execute("SET citus.enable_ddl_propagation = off; CREATE SCHEMA IF NOT EXISTS " + SCHEMA + ";"
          + " CREATE TABLE IF NOT EXISTS " + TABLE + " (run_id text NOT NULL, table_name text NOT NULL,"
          + " partition_no int NOT NULL, node text NOT NULL, shard_min int[] NOT NULL, shard_max int[] NOT NULL,"
          + " rows_written bigint NOT NULL, committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
          + " rejected_rows text[] NOT NULL DEFAULT '{}', rejected_reasons text[] NOT NULL DEFAULT '{}',"
          + " PRIMARY KEY (run_id, table_name, partition_no, node));"
          // A ledger an older pg2citus made lacks the rejected rows; altered only then, as ALTER TABLE
          // takes an exclusive lock even when there is nothing to add.
          + " DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = '" + TABLE + "'::regclass"
          + " AND attname = 'rejected_rows') THEN ALTER TABLE " + TABLE + " ADD COLUMN rejected_rows text[] NOT NULL"
          + " DEFAULT '{}', ADD COLUMN rejected_reasons text[] NOT NULL DEFAULT '{}'; END IF; END $$;"
          + " RESET citus.enable_ddl_propagation");
    }
  }

  /** The tables (by run record name) this node's ledger holds rows of for run {@code runId}; none without a ledger. */
  public static Set<String> tables(Connection node, String runId) throws SQLException {
    Set<String> tables = new TreeSet<>();
    try (Statement st = node.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return tables;
      }
    }
    try (PreparedStatement ps = node.prepareStatement(
        "SELECT DISTINCT table_name FROM " + TABLE + " WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    return tables;
  }

  /**
   * What this node's ledger holds as written for {@code p} in run {@code runId}: the hash ranges
   * ({@code {min, max}}), and the rows of those ranges the node refused ({@code on-error: reject}).
   */
  public record Written(List<int[]> ranges, List<RejectedRow> rejects) {}

  /** What this node's ledger holds as written for {@code p} in run {@code runId}. */
  public static Written written(Connection node, String runId, ReadPartition p) throws SQLException {
    List<int[]> ranges = new ArrayList<>();
    List<RejectedRow> rejects = new ArrayList<>();
    try (PreparedStatement ps = node.prepareStatement("SELECT shard_min, shard_max, rejected_rows, rejected_reasons"
        + " FROM " + TABLE + " WHERE run_id = ? AND table_name = ? AND partition_no = ?")) {
      ps.setString(1, runId);
      ps.setString(2, p.table());
      ps.setInt(3, p.number());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Integer[] mins = (Integer[]) rs.getArray(1).getArray();
          Integer[] maxs = (Integer[]) rs.getArray(2).getArray();
          for (int i = 0; i < mins.length; i++) {
            ranges.add(new int[] {mins[i], maxs[i]});
          }
          String[] rows = (String[]) rs.getArray(3).getArray();
          String[] reasons = (String[]) rs.getArray(4).getArray();
          for (int i = 0; i < rows.length; i++) {
            rejects.add(new RejectedRow(rows[i], reasons[i]));
          }
        }
      }
    }
    return new Written(ranges, rejects);
  }

  /**
   * Records, in the node's open transaction, that {@code p}'s rows of the shards with hash ranges
   * {@code mins[i]..maxs[i]} are written there, and which of them the node refused. A second attempt
   * recording the same node waits for the first's transaction and fails on the key if it committed:
   * never both.
   */
  public static void record(Connection node, String runId, ReadPartition p, String nodeName, Integer[] mins,
      Integer[] maxs, long rows, List<RejectedRow> rejects) throws SQLException {
    try (PreparedStatement ps = node.prepareStatement("INSERT INTO " + TABLE + " (run_id, table_name, partition_no,"
        + " node, shard_min, shard_max, rows_written, rejected_rows, rejected_reasons)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, runId);
      ps.setString(2, p.table());
      ps.setInt(3, p.number());
      ps.setString(4, nodeName);
      ps.setArray(5, node.createArrayOf("int4", mins));
      ps.setArray(6, node.createArrayOf("int4", maxs));
      ps.setLong(7, rows);
      ps.setArray(8, node.createArrayOf("text", rejects.stream().map(RejectedRow::row).toArray()));
      ps.setArray(9, node.createArrayOf("text", rejects.stream().map(RejectedRow::reason).toArray()));
      ps.executeUpdate();
    }
  }
}
