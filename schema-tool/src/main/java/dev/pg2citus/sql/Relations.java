package dev.pg2citus.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Questions about a database's relations that pg2citus asks before it acts. */
public final class Relations {
  private Relations() {}

  /** Whether {@code quotedName} ({@code "schema"."name"}) names a table, view or sequence there. */
  public static boolean exists(Connection c, String quotedName) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, quotedName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
