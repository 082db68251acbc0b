package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.TargetNames;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses, before create's first statement, what would make it fail half-way: a plan that
 * distributes tables on a target without citus, a user that may not create the schemas and tables,
 * and tables of the plan the target has already (unless they are dropped first or loaded into),
 * each with what to do about it ({@link ConfigException}).
 */
final class CreatePreflight {
  private final MigrationConfig config;
  private final TargetSchema target;

  CreatePreflight(MigrationConfig config, TargetSchema target) {
    this.config = config;
    this.target = target;
  }

  /** Checks the target; {@code dropFirst}: create drops the plan's tables first. */
  void refuseWhatCreateCannotDo(boolean dropFirst) throws SQLException {
    try (Connection connection = config.target().open()) {
      if (target.plan().needsCitus() && !config.targetIsPlainPostgresql() && !hasCitus(connection)) {
        throw new ConfigException(new ConfigLocation(config.origin(), 0, "target.url"), "the target "
            + config.target() + " has no citus extension, but the plan distributes tables; run CREATE EXTENSION"
            + " citus in the target database, or set target.plain-postgresql: true");
      }
      if (!config.load().createsTables()) {
        return;
      }
      refuseMissingCreatePrivileges(connection);
      if (!dropFirst) {
        refuseExistingTables(connection);
      }
    }
  }

  /** Tables of the plan, under their source names or where finalize renames them, and the objects renames move. */
  private void refuseExistingTables(Connection connection) throws SQLException {
    Map<String, TableName> byQuotedName = new LinkedHashMap<>();
    target.plan().placements().forEach(p -> byQuotedName.put(p.table().quoted(), p.table()));
    target.names().tables().values().forEach(t -> byQuotedName.put(t.quoted(), t)); // where finalize renames them
    List<String> existing = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT t FROM unnest(?::text[]) WITH ORDINALITY u(t, n) WHERE to_regclass(t) IS NOT NULL ORDER BY n")) {
      ps.setArray(1, connection.createArrayOf("text", byQuotedName.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          existing.add(byQuotedName.get(rs.getString(1)).toString());
        }
      }
    }
    for (TargetNames.Move m : target.names().moves()) { // where the renames would take the other objects
      try (PreparedStatement ps = connection.prepareStatement("SELECT " + m.exists() + "(?) IS NOT NULL")) {
        ps.setString(1, m.moved());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            existing.add(m.keyword().toLowerCase(Locale.ROOT) + " " + m.moved());
          }
        }
      } catch (SQLException e) {
        // to_regprocedure raises on an argument type the target lacks: then no such routine is there
      }
    }
    if (!existing.isEmpty()) {
      throw new ConfigException(new ConfigLocation(config.origin(), 0, "load.include-drop"), "the target "
          + config.target() + " has " + existing.size() + " of the tables already (" + String.join(", ",
              existing.subList(0, Math.min(10, existing.size()))) + (existing.size() > 10 ? ", …" : "")
          + "): set load.include-drop: true to drop and create them, or load.create-tables: false to load into them");
    }
  }

  /**
   * Create makes schemas (CREATE on the database) and tables in them (CREATE on each schema that
   * exists already): a user without either is refused before the first statement, with the GRANT.
   */
  private void refuseMissingCreatePrivileges(Connection connection) throws SQLException {
    List<String> missing = new ArrayList<>();
    Set<String> schemas = new TreeSet<>();
    target.plan().placements().forEach(p -> schemas.add(p.table().schema()));
    try (PreparedStatement ps = connection.prepareStatement("SELECT current_user, current_database(),"
        + " has_database_privilege(current_database(), 'CREATE'),"
        + " ARRAY(SELECT n.nspname FROM pg_namespace n WHERE n.nspname = ANY (?) AND NOT has_schema_privilege(n.oid,"
        + " 'CREATE') ORDER BY 1)")) {
      ps.setArray(1, connection.createArrayOf("text", schemas.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String user = Sql.ident(rs.getString(1));
        if (!rs.getBoolean(3)) {
          missing.add("GRANT CREATE ON DATABASE " + Sql.ident(rs.getString(2)) + " TO " + user);
        }
        for (String schema : (String[]) rs.getArray(4).getArray()) {
          missing.add("GRANT CREATE ON SCHEMA " + Sql.ident(schema) + " TO " + user);
        }
        if (!missing.isEmpty()) {
          throw new ConfigException(new ConfigLocation(config.origin(), 0, "target.user"), "the target user "
              + rs.getString(1) + " on " + config.target().address() + " may not create what create makes; as the"
              + " owner or a superuser run: " + String.join("; ", missing));
        }
      }
    }
  }

  private static boolean hasCitus(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
      return rs.next();
    }
  }
}
