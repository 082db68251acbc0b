package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.Extension;
import dev.pg2citus.catalog.SkippedObject;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TableSelector;
import dev.pg2citus.plan.CastRules;
import dev.pg2citus.plan.CitusRefusals;
import dev.pg2citus.plan.ColumnTypeCheck;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.DistributionPlanner;
import dev.pg2citus.plan.FunctionPlanner;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.plan.SourceEncodings;
import dev.pg2citus.plan.TargetNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the source catalog and plans the target schema: table filters and cast rules, the
 * distribution, for Citus the objects it refuses under the plan ({@link CitusRefusals}), the rename
 * rules; every problem found along the way is refused at once ({@link PlanException}).
 */
final class TargetSchemaLoader {
  private static final Logger LOG = LoggerFactory.getLogger(TargetSchemaLoader.class);

  private TargetSchemaLoader() {}

  /**
   * The target schema of {@code config}'s source; with {@code load.not-carried: error}, a source with
   * objects that would not be carried is refused too.
   */
  static TargetSchema load(MigrationConfig config) throws SQLException {
    try (Connection source = config.source().open()) {
      CatalogReader reader = new CatalogReader(source);
      Set<TableSelector> matched = new HashSet<>();
      Catalog catalog = reader.read(table -> {
        Stream.concat(config.include().stream(), config.exclude().stream()).filter(s -> s.matches(table))
            .forEach(matched::add);
        return config.selects(table);
      });
      catalog = CastRules.apply(catalog, config.casts(), type -> {
        try {
          return reader.canonicalTypeName(type);
        } catch (SQLException e) {
          throw new IllegalStateException("cannot look up type '" + type + "' on the source: " + e.getMessage(), e);
        }
      });
      catalog = SourceEncodings.apply(catalog, config.load().encodings(), serverEncoding(source));
      List<String> problems = new ArrayList<>(unmatchedFilters(config, matched));
      catalog = extensionsTheTargetHas(config, catalog, problems);
      if (problems.isEmpty() && catalog.tables().isEmpty() && !(config.include().isEmpty()
          && config.exclude().isEmpty())) {
        problems.add(noTableLeft(config));
      }
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

  private static String serverEncoding(Connection source) throws SQLException {
    try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SHOW server_encoding")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * The extensions as the target can create them: in the source's version where the target has it,
   * else its default; one the target does not have is listed as not carried, or, when a migrated
   * table needs it, a problem. A target that cannot be reached yet is not asked (create then
   * fails on what it lacks).
   */
  private static Catalog extensionsTheTargetHas(MigrationConfig config, Catalog catalog, List<String> problems) {
    if (catalog.extensions().isEmpty()) {
      return catalog;
    }
    Map<String, Set<String>> available = new HashMap<>();
    try (Connection target = config.target().open(); PreparedStatement ps = target.prepareStatement(
        "SELECT name, version FROM pg_available_extension_versions WHERE name = ANY (?)")) {
      ps.setArray(1, target.createArrayOf("text", catalog.extensions().stream().map(Extension::name).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          available.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
        }
      }
    } catch (SQLException e) {
      LOG.warn("could not ask {} which extensions it has ({}): create will show what it lacks", config.target(),
          e.getMessage());
      return catalog;
    }
    List<Extension> carried = new ArrayList<>();
    List<SkippedObject> skipped = new ArrayList<>(catalog.skipped());
    for (Extension e : catalog.extensions()) {
      Set<String> versions = available.get(e.name());
      if (versions != null) {
        carried.add(versions.contains(e.version()) ? e : new Extension(e.name(), e.schema(), null, e.needed()));
      } else if (e.needed()) {
        problems.add("extension " + e.name() + " (schema " + e.schema() + "), which migrated tables use, is not"
            + " available on the target: install it there (on a Citus cluster, on every node)");
      } else {
        skipped.add(new SkippedObject("extension", e.name() + " (schema " + e.schema() + ")", "the target does not"
            + " have it available and no migrated table uses it: install it on the target (on a Citus cluster, on"
            + " every node) to carry it"));
      }
    }
    return catalog.withExtensions(carried, skipped);
  }

  /**
   * A table filter that matches no source table is a mistake the run would otherwise hide: an include
   * that matches nothing leaves out the tables it meant (refused, with where it is written); an
   * exclude that matches nothing keeps in the tables it meant to leave out (warned).
   */
  private static List<String> unmatchedFilters(MigrationConfig config, Set<TableSelector> matched) {
    config.exclude().stream().filter(s -> !matched.contains(s)).forEach(s -> LOG.warn(
        "{}: this tables.exclude entry matches no table of the source, so it leaves nothing out", s.location()));
    return config.include().stream().filter(s -> !matched.contains(s)).map(s -> s.location()
        + ": this tables.include entry matches no table of the source (names are matched as the source spells"
        + " them, schema included); correct it or remove it").toList();
  }

  /** Filters that each match a table can still leave none (an exclude that takes what the includes chose). */
  private static String noTableLeft(MigrationConfig config) {
    List<String> filters = Stream.concat(config.include().stream(), config.exclude().stream())
        .map(s -> s.location().toString()).toList();
    return "the table filters leave no table of the source to migrate (" + String.join("; ", filters)
        + "): correct them or remove them";
  }
}
