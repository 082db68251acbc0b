package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.SchemaObject;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.FunctionRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves {@code citus.distribute-functions} against the source and the plan, before anything is
 * written: the routine must be carried, the argument one of its parameters, the table distributed.
 */
public final class FunctionPlanner {
  private FunctionPlanner() {}

  /** The plan with the rules' routines placed; each rule's error names its config line. */
  public static DistributionPlan place(Connection source, Catalog catalog, DistributionPlan plan,
      List<FunctionRule> rules) throws SQLException {
    if (rules.isEmpty()) {
      return plan;
    }
    Set<String> carried = catalog.objects().stream().filter(o -> o.kind() == SchemaObject.Kind.FUNCTION
        || o.kind() == SchemaObject.Kind.PROCEDURE).map(SchemaObject::name).collect(Collectors.toSet());
    List<FunctionPlacement> placed = new ArrayList<>();
    for (FunctionRule rule : rules) {
      Resolved routine = resolve(source, rule);
      if (!carried.contains(routine.name())) {
        throw new ConfigException(rule.location(), "routine " + routine.name() + " is not carried (it is not in a"
            + " migrated table's schema, or it is listed as not carried), so it cannot be distributed");
      }
      if (!rule.argument().matches("\\$[1-9][0-9]*") && !routine.parameters().contains(rule.argument())) {
        throw new ConfigException(rule.location(), routine.name() + " has no parameter " + rule.argument()
            + " (its parameters: " + String.join(", ", routine.parameters()) + "); name one, or write $1, $2…");
      }
      TableName table = DistributionPlanner.resolveTable(catalog, rule.colocateWith(), rule.location());
      if (!plan.of(table).isDistributed()) {
        throw new ConfigException(rule.location(), "colocate-with " + table + " is not distributed in the plan ("
            + plan.of(table).kind().name().toLowerCase() + "); name a distributed table");
      }
      placed.add(new FunctionPlacement(routine.name(), rule.argument(), table, "rule at " + rule.location()));
    }
    return plan.withFunctions(placed);
  }

  private record Resolved(String name, List<String> parameters) {}

  /** The routine as written, under the session's default search_path; printed qualified. */
  private static Resolved resolve(Connection source, FunctionRule rule) throws SQLException {
    long oid;
    try (Statement st = source.createStatement()) {
      st.execute("SET search_path TO DEFAULT");
      try (PreparedStatement ps = source.prepareStatement("SELECT to_regprocedure(?)::oid")) {
        ps.setString(1, rule.function());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          oid = rs.getLong(1);
          if (rs.wasNull()) {
            throw new ConfigException(rule.location(), "no routine " + rule.function() + " in the source: write"
                + " name(argument types), qualified with its schema where it is not on the search_path");
          }
        }
      } catch (SQLException e) {
        throw new ConfigException(rule.location(), "cannot read routine " + rule.function() + ": " + e.getMessage());
      }
    } finally {
      try (Statement st = source.createStatement()) {
        st.execute("SET search_path = pg_catalog");
      }
    }
    try (PreparedStatement ps = source.prepareStatement(
        "SELECT oid::regprocedure::text, coalesce(proargnames, '{}') FROM pg_proc WHERE oid = ?::oid")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Resolved(rs.getString(1), List.of((String[]) rs.getArray(2).getArray()));
      }
    }
  }
}
