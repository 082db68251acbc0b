package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.CastRules;
import dev.pg2citus.plan.CitusRefusals;
import dev.pg2citus.plan.ColumnTypeCheck;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.DistributionPlanner;
import dev.pg2citus.plan.FunctionPlanner;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.plan.TargetNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the source catalog and plans the target schema: table filters and cast rules, the
 * distribution, for Citus the objects it refuses under the plan ({@link CitusRefusals}), the rename
 * rules; every problem found along the way is refused at once ({@link PlanException}).
 */
final class TargetSchemaLoader {
  private TargetSchemaLoader() {}

  /**
   * The target schema of {@code config}'s source; with {@code load.not-carried: error}, a source with
   * objects that would not be carried is refused too.
   */
  static TargetSchema load(MigrationConfig config) throws SQLException {
    try (Connection source = config.source().open()) {
      CatalogReader reader = new CatalogReader(source);
      Catalog catalog = reader.read(config::selects);
      catalog = CastRules.apply(catalog, config.casts(), type -> {
        try {
          return reader.canonicalTypeName(type);
        } catch (SQLException e) {
          throw new IllegalStateException("cannot look up type '" + type + "' on the source: " + e.getMessage(), e);
        }
      });
      List<String> problems = new ArrayList<>();
      DistributionPlan plan = null;
      TargetNames names = TargetNames.NONE;
      try {
        plan = DistributionPlanner.plan(catalog, config);
        if (!config.targetIsPlainPostgresql()) {
          catalog = CitusRefusals.apply(catalog, plan);
          problems.addAll(ColumnTypeCheck.problems(source, plan));
        }
        problems.addAll(ColumnTypeCheck.exclusionProblems(source, catalog, plan)); // rewritten on both targets
        plan = FunctionPlanner.place(source, catalog, plan, config.citus().distributeFunctions());
      } catch (PlanException e) {
        problems.addAll(e.problems());
      }
      try { // on the objects carried: Citus' refusals are out
        names = TargetNames.plan(catalog, config.renames());
      } catch (PlanException e) {
        problems.addAll(e.problems());
      }
      if (config.load().notCarried() == NotCarried.ERROR && !catalog.skipped().isEmpty()) {
        problems.add(catalog.skipped().size() + " source objects would not be carried (load.not-carried: error):\n  "
            + String.join("\n  ", catalog.skipped().stream().map(Object::toString).toList())
            + "\nset load.not-carried: warn to migrate without them");
      }
      if (!problems.isEmpty()) {
        throw new PlanException(problems);
      }
      return new TargetSchema(catalog, plan, names);
    }
  }
}
