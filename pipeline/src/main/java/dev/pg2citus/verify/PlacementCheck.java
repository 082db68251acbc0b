package dev.pg2citus.verify;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.route.ShardMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether every shard of a hash-distributed table holds only rows whose hash lies in its range: what
 * nothing in Citus checks when rows are written into shard tables directly (a misplaced row is stored,
 * then invisible to queries on its distribution value). Asked per shard on the node that holds it,
 * with Citus' own {@code worker_hash}.
 */
public final class PlacementCheck {
  /** A shard holding rows whose hash lies outside its range: its table, id, node ({@code host:port}) and how many. */
  public record Misplaced(String shard, long shardId, String node, long rows) {
    @Override
    public String toString() {
      return rows + (rows == 1 ? " row" : " rows") + " in shard " + shard + " (" + shardId + ") on " + node
          + " whose hash lies outside the shard's range";
    }
  }

  /** The outcome for one table: how many shards were asked, and those holding misplaced rows. */
  public record Result(int shards, List<Misplaced> misplaced) {}

  private PlacementCheck() {}

  /**
   * Asks every shard of {@code table} (quoted) on its node; empty when the table is not
   * hash-distributed with one placement per shard. Nodes are reached as {@link ConnectionSpec#openNode} says.
   */
  public static Optional<Result> check(Connection coordinator, ConnectionSpec target, String table)
      throws SQLException {
    Optional<ShardMap> map = ShardMap.read(coordinator, table);
    if (map.isEmpty()) {
      return Optional.empty();
    }
    String column;
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT quote_ident(column_to_column_name(logicalrelid,"
        + " partkey)) FROM pg_dist_partition WHERE logicalrelid = ?::regclass")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        column = rs.getString(1);
      }
    }
    List<Misplaced> misplaced = new ArrayList<>();
    for (ShardMap.Shard s : map.get().shards()) {
      try (Connection node = target.openNode(s.host(), s.port());
          PreparedStatement ps = node.prepareStatement("SELECT count(*) FROM " + s.table()
              + " WHERE worker_hash(" + column + ") NOT BETWEEN ? AND ?")) {
        ps.setInt(1, s.min());
        ps.setInt(2, s.max());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            misplaced.add(new Misplaced(s.table(), s.id(), s.host() + ":" + s.port(), rs.getLong(1)));
          }
        }
      }
    }
    return Optional.of(new Result(map.get().shards().size(), List.copyOf(misplaced)));
  }
}
