package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.route.ShardMap;
import dev.pg2citus.route.WritePaths;
import dev.pg2citus.runrecord.ShardLedger;
import dev.pg2citus.sql.Sql;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of a load whose rows go straight into their shards ({@code load.write-path: shards}),
 * decided on the target before the copy starts, and what every {@link ShardSink} needs besides: the
 * run's id for the ledgers, and the nodes that may hold one. Serializable, so the pipeline carries it
 * to its copy workers; each partition attempt reads the table's placements again ({@link #sink}).
 */
public final class ShardWrites implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardWrites.class);

  private final String runId;
  private final Map<String, ShardTarget> tables;
  private final List<String> nodes;

  private ShardWrites(String runId, Map<String, ShardTarget> tables, List<String> nodes) {
    this.runId = runId;
    this.tables = Map.copyOf(tables);
    this.nodes = List.copyOf(nodes);
  }

  /** No table on the shard path: {@code load.write-path: coordinator}. */
  public static ShardWrites none() {
    return new ShardWrites(null, Map.of(), List.of());
  }

  /**
   * Decides each table's path on the target with {@link WritePaths}' rules and what only the target
   * knows (its encoding, its collations, one placement per shard), logging why; refuses to start while
   * a rebalance runs; creates the ledger on every node that holds shards.
   *
   * @param option {@code load.write-path} as written (shards or auto), for the notes
   * @param notes told how many tables take the shard path
   */
  public static ShardWrites prepare(Connection coordinator, ConnectionSpec target, List<TableCopy> copies,
      String runId, String option, List<String> notes) throws SQLException {
    if (!hasCitus(coordinator)) {
      notes.add("load.write-path: " + option + ", but the target has no Citus: every table through the coordinator");
      return none();
    }
    boolean utf8 = "UTF8".equals(scalar(coordinator,
        "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"));
    Map<String, ShardTarget> chosen = new LinkedHashMap<>();
    for (TableCopy copy : copies) {
      String why = choose(coordinator, copy, utf8, chosen);
      LOG.debug("{}: {}", copy.table(), why);
    }
    if (!chosen.isEmpty()) {
      refuseWhileRebalancing(coordinator);
    }
    List<String> nodes = new ArrayList<>();
    if (!chosen.isEmpty()) {
      warnUnknownNodes(coordinator, target, notes);
      try (Statement st = coordinator.createStatement(); ResultSet rs = st.executeQuery("SELECT nodename, nodeport"
          + " FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND (shouldhaveshards"
          + " OR groupid IN (SELECT groupid FROM pg_dist_placement)) ORDER BY nodename, nodeport")) {
        while (rs.next()) {
          nodes.add(NodeConnections.name(rs.getString(1), rs.getInt(2)));
          try (Connection node = target.openNode(rs.getString(1), rs.getInt(2))) {
            ShardLedger.create(node);
          }
        }
      }
    }
    notes.add("load.write-path: " + option + ": " + chosen.size() + " of " + copies.size()
        + " tables straight into their shards on " + nodes.size() + " nodes");
    return new ShardWrites(runId, chosen, nodes);
  }

  /** Puts {@code copy} in {@code chosen} when it can take the shard path; returns its path and why. */
  private static String choose(Connection coordinator, TableCopy copy, boolean utf8, Map<String, ShardTarget> chosen)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
        + " CASE WHEN a.attcollation IN (0, 100) THEN NULL ELSE quote_ident(c.collname) END, c.collisdeterministic"
        + " FROM pg_dist_partition d JOIN pg_attribute a ON a.attrelid = d.logicalrelid"
        + " AND a.attname = column_to_column_name(d.logicalrelid, d.partkey)"
        + " LEFT JOIN pg_collation c ON c.oid = a.attcollation"
        + " WHERE d.logicalrelid = ?::regclass AND d.partmethod = 'h'")) {
      ps.setString(1, copy.quotedTarget());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "coordinator path: not hash-distributed";
        }
        String column = rs.getString(1);
        String type = rs.getString(2);
        Optional<String> unroutable = WritePaths.unroutable(type, rs.getString(3), (Boolean) rs.getObject(4));
        if (unroutable.isPresent()) {
          return "coordinator path: " + unroutable.get();
        }
        if (WritePaths.isText(type) && !utf8) {
          return "coordinator path: text is hashed as its bytes in the server encoding, which is not UTF8";
        }
        int field = copy.targetColumns().indexOf(Sql.ident(column));
        if (field < 0) {
          return "coordinator path: the distribution column " + column + " is not written (generated)";
        }
        Optional<ShardMap> map = ShardMap.read(coordinator, copy.quotedTarget());
        if (map.isEmpty()) {
          return "coordinator path: shards with several placements, or ranges that leave a hash out";
        }
        chosen.put(copy.table(), new ShardTarget(copy.quotedTarget(), field, type));
        return "shard path: " + map.get() + ", hash of " + column + " (" + type + ")";
      }
    }
  }

  /** A {@code target.node-addresses} entry for no node of {@code pg_dist_node} is a mistake to point out. */
  private static void warnUnknownNodes(Connection coordinator, ConnectionSpec target, List<String> notes)
      throws SQLException {
    if (target.nodeAddresses().isEmpty()) {
      return;
    }
    List<String> known = new ArrayList<>();
    try (Statement st = coordinator.createStatement();
        ResultSet rs = st.executeQuery("SELECT nodename, nodeport FROM pg_dist_node")) {
      while (rs.next()) {
        known.add(NodeConnections.name(rs.getString(1), rs.getInt(2)));
      }
    }
    target.nodeAddresses().keySet().stream().filter(node -> !known.contains(node)).sorted().forEach(node -> {
      String warning = "target.node-addresses names " + node + ", which is no node of pg_dist_node ("
          + String.join(", ", known) + "): not used";
      LOG.warn(warning);
      notes.add(warning);
    });
  }

  private static boolean hasCitus(Connection coordinator) throws SQLException {
    return scalar(coordinator, "SELECT to_regclass('pg_catalog.pg_dist_partition')") != null;
  }

  /** A rebalance moving shards while rows go to their old placements would lose them: refused. */
  private static void refuseWhileRebalancing(Connection coordinator) throws SQLException {
    String moving = scalar(coordinator, "SELECT (SELECT count(*) FROM get_rebalance_progress())"
        + " + (SELECT count(*) FROM pg_dist_background_job WHERE state IN ('scheduled', 'running', 'cancelling',"
        + " 'failing'))");
    if (!"0".equals(moving)) {
      throw new SQLException("a shard rebalance or move is running on the target (get_rebalance_progress(),"
          + " pg_dist_background_job): the shard write path waits until it ends; run again then, or use"
          + " load.write-path: coordinator", "55006");
    }
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Whether {@code table} (by run record name) takes the shard path. */
  public boolean writesShardsOf(String table) {
    return tables.containsKey(table);
  }

  public boolean isEmpty() {
    return tables.isEmpty();
  }

  /**
   * The sink of one attempt at {@code partition}: its table's placements read again on {@code
   * coordinator}, every node's ledger read for what an earlier attempt wrote.
   */
  public ShardSink sink(Connection coordinator, NodeConnections connections, TableCopy table, ReadPartition partition,
      OnError onError, int batchRows, long batchBytes, LongConsumer progress) throws SQLException {
    ShardTarget target = tables.get(table.table());
    ShardMap map = ShardMap.read(coordinator, target.distributed()).orElseThrow(() -> new SQLException(
        partition + ": " + target.distributed() + " can no longer be routed (its shards were replicated?)"));
    List<String> all = new ArrayList<>(nodes);
    map.shards().stream().map(s -> NodeConnections.name(s.host(), s.port())).distinct().filter(n -> !all.contains(n))
        .forEach(all::add);
    return new ShardSink(connections, all, map, target, table, partition, onError, runId, batchRows, batchBytes,
        progress);
  }
}
