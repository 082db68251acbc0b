package dev.pg2citus.verify;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.route.ShardMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether every shard of a hash-distributed table holds only rows whose hash lies in its range: what
 * nothing in Citus checks when rows are written into shard tables directly (a misplaced row is stored,
 * then invisible to queries on its distribution value). Asked per shard on the node that holds it,
 * with Citus' own {@code worker_hash}.
 */
public final class PlacementCheck {
  private PlacementCheck() {}

  /**
   * Rows of {@code table} (quoted) stored in a shard whose range does not hold their {@code column}'s
   * hash; empty when the table is not hash-distributed with one placement per shard.
   */
  public static Optional<Long> misplaced(Connection coordinator, ConnectionSpec target, String table, String column)
      throws SQLException {
    Optional<ShardMap> map = ShardMap.read(coordinator, table);
    if (map.isEmpty()) {
      return Optional.empty();
    }
    long misplaced = 0;
    for (ShardMap.Shard s : map.get().shards()) {
      try (Connection node = target.atNode(s.host(), s.port()).open();
          PreparedStatement ps = node.prepareStatement("SELECT count(*) FROM " + s.table()
              + " WHERE worker_hash(" + column + ") NOT BETWEEN ? AND ?")) {
        ps.setInt(1, s.min());
        ps.setInt(2, s.max());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          misplaced += rs.getLong(1);
        }
      }
    }
    return Optional.of(misplaced);
  }
}
