package dev.pg2citus.route;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where each hash of a hash-distributed table lives: its shards' ranges as the coordinator's metadata
 * holds them now ({@code pg_dist_shard}), each with its shard table's name ({@code shard_name}: long names
 * are truncated and hashed, so they are never built by hand) and the node of its one placement. Routing
 * is a binary search over the actual ranges, never hash modulo the shard count: after a split or a
 * tenant isolation the ranges are uneven. Serializable, so a pipeline can carry it to its workers.
 */
public final class ShardMap implements Serializable {
  /** A shard: its id, its hash range (inclusive), its table on the node, and that node. */
  public record Shard(long id, int min, int max, String table, String host, int port) implements Serializable {}

  private final String distributedTable;
  private final Shard[] shards;
  private final int[] mins;

  private ShardMap(String distributedTable, List<Shard> shards) {
    this.distributedTable = distributedTable;
    this.shards = shards.toArray(Shard[]::new);
    this.mins = shards.stream().mapToInt(Shard::min).toArray();
  }

  /**
   * The map of {@code table} (quoted as SQL names it) on the coordinator; empty when it cannot route
   * every row to one shard table: no Citus, not hash-distributed, a shard with several placements (replicated
   * shards, written together by Citus), or ranges that leave a hash out.
   */
  public static Optional<ShardMap> read(Connection coordinator, String table) throws SQLException {
    try (Statement st = coordinator.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NULL")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return Optional.empty(); // no Citus: nothing is distributed
      }
    }
    List<Shard> shards = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT s.shardid, s.shardminvalue::int,"
        + " s.shardmaxvalue::int, shard_name(s.logicalrelid, s.shardid, false), n.nodename, n.nodeport,"
        + " count(*) OVER (PARTITION BY s.shardid)"
        + " FROM pg_dist_partition d JOIN pg_dist_shard s USING (logicalrelid)"
        + " JOIN pg_dist_placement p ON p.shardid = s.shardid"
        + " JOIN pg_dist_node n ON n.groupid = p.groupid AND n.noderole = 'primary' AND n.isactive"
        + " WHERE d.logicalrelid = ?::regclass AND d.partmethod = 'h' ORDER BY 2")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getLong(7) != 1) {
            return Optional.empty();
          }
          shards.add(new Shard(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getString(4), rs.getString(5),
              rs.getInt(6)));
        }
      }
    }
    return coversEveryHash(shards) ? Optional.of(new ShardMap(table, shards)) : Optional.empty();
  }

  /** The ranges, in order, meet end to end from the smallest int to the largest. */
  private static boolean coversEveryHash(List<Shard> shards) {
    long next = Integer.MIN_VALUE;
    for (Shard s : shards) {
      if (s.min() != next || s.max() < s.min()) {
        return false;
      }
      next = (long) s.max() + 1;
    }
    return next == (long) Integer.MAX_VALUE + 1;
  }

  /** The shard whose range holds {@code hash}. */
  public Shard shardFor(int hash) {
    return shards[indexFor(hash)];
  }

  /** The place in {@link #shards()} of the shard whose range holds {@code hash}. */
  public int indexFor(int hash) {
    int at = Arrays.binarySearch(mins, hash);
    return at >= 0 ? at : -at - 2;
  }

  public List<Shard> shards() {
    return List.of(shards);
  }

  @Override
  public String toString() {
    return distributedTable + ": " + shards.length + " shards";
  }
}
