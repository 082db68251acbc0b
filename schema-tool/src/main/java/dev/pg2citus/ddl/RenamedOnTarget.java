package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the tables and sequences an earlier finalize renamed: those the target has under their new
 * names and no longer under their source names. A run that creates no tables loads, analyzes and
 * sets sequences there.
 */
final class RenamedOnTarget {
  private RenamedOnTarget() {}

  /**
   * {@code target} aimed at what stands renamed on {@code config}'s target already, for a run that
   * creates no tables; otherwise {@code target} itself.
   */
  static TargetSchema locate(MigrationConfig config, TargetSchema target) throws SQLException {
    if (target.names().isEmpty() || config.load().createsTables()) {
      return target;
    }
    List<TableName> from = new ArrayList<>(target.names().tables().keySet());
    List<TableName> to = new ArrayList<>(target.names().tables().values());
    target.catalog().sequences().stream().filter(s -> !s.identity()).forEach(s -> {
      from.add(s.name());
      to.add(target.names().of(s));
    });
    Map<TableName, TableName> standing = new LinkedHashMap<>();
    try (Connection connection = config.target().open();
        PreparedStatement ps = connection.prepareStatement("SELECT n FROM unnest(?::text[], ?::text[])"
            + " WITH ORDINALITY u(f, t, n) WHERE to_regclass(f) IS NULL AND to_regclass(t) IS NOT NULL")) {
      ps.setArray(1, connection.createArrayOf("text", from.stream().map(TableName::quoted).toArray()));
      ps.setArray(2, connection.createArrayOf("text", to.stream().map(TableName::quoted).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1) - 1;
          standing.put(from.get(i), to.get(i));
        }
      }
    }
    return target.standingAt(standing);
  }
}
