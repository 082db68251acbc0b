package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import java.sql.Array;
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
 * wrote. A partition copied again (a retry, {@code --resume}) skips the rows whose hash lies in a range
 * some node's ledger holds: ranges, not shard ids or nodes, so a shard moved or split between two
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
          + " PRIMARY KEY (run_id, table_name, partition_no, node)); RESET citus.enable_ddl_propagation");
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
    try (PreparedStatement ps = node.prepareStatement("SELECT DISTINCT table_name FROM " + TABLE + " WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    return tables;
  }

  /** The hash ranges ({@code {min, max}}) this node's ledger holds as written for {@code p} in run {@code runId}. */
  public static List<int[]> written(Connection node, String runId, ReadPartition p) throws SQLException {
    List<int[]> ranges = new ArrayList<>();
    try (PreparedStatement ps = node.prepareStatement("SELECT unnest(shard_min), unnest(shard_max) FROM " + TABLE
        + " WHERE run_id = ? AND table_name = ? AND partition_no = ?")) {
      ps.setString(1, runId);
      ps.setString(2, p.table());
      ps.setInt(3, p.number());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ranges.add(new int[] {rs.getInt(1), rs.getInt(2)});
        }
      }
    }
    return ranges;
  }

  /**
   * Records, in the node's open transaction, that {@code p}'s rows of the shards with hash ranges
   * {@code mins[i]..maxs[i]} are written there. A second attempt recording the same node waits for
   * the first's transaction and fails on the key if it committed: never both.
   */
  public static void record(Connection node, String runId, ReadPartition p, String nodeName, Integer[] mins,
      Integer[] maxs, long rows) throws SQLException {
    try (PreparedStatement ps = node.prepareStatement("INSERT INTO " + TABLE
        + " (run_id, table_name, partition_no, node, shard_min, shard_max, rows_written) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      Array min = node.createArrayOf("int4", mins);
      Array max = node.createArrayOf("int4", maxs);
      ps.setString(1, runId);
      ps.setString(2, p.table());
      ps.setInt(3, p.number());
      ps.setString(4, nodeName);
      ps.setArray(5, min);
      ps.setArray(6, max);
      ps.setLong(7, rows);
      ps.executeUpdate();
    }
  }
}
