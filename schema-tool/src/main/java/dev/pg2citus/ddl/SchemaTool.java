package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.CastRules;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.DistributionPlanner;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The schema tool's three commands: {@link #load} reads the source and plans; {@link #create} runs
 * the pre-data phase on the target; {@link #finalizeSchema} the post-data phase.
 */
public final class SchemaTool {
  private final MigrationConfig config;
  private final TargetSchema target;

  private SchemaTool(MigrationConfig config, TargetSchema target) {
    this.config = config;
    this.target = target;
  }

  /** Reads the source catalog, applies table filters and cast rules, and plans the distribution. */
  public static SchemaTool load(MigrationConfig config) throws SQLException {
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
      DistributionPlan plan = DistributionPlanner.plan(catalog, config);
      return new SchemaTool(config, new TargetSchema(catalog, plan));
    }
  }

  public TargetSchema target() {
    return target;
  }

  public SchemaScripts scripts() {
    return new SchemaScripts(target, config);
  }

  /** Pre-data: creates and distributes the target tables. */
  public PhaseReport create() throws SQLException {
    return run("create", scripts().create());
  }

  /** Post-data: keys, indexes, foreign keys, checks, sequences (at the source's values now), ANALYZE. */
  public PhaseReport finalizeSchema() throws SQLException {
    Map<TableName, Long> lastValues;
    try (Connection source = config.source().open()) {
      lastValues = new CatalogReader(source).lastValues(target.catalog().sequences());
    }
    return run("finalize", scripts().finalizeSchema(lastValues));
  }

  private PhaseReport run(String phase, List<DdlStatement> statements) throws SQLException {
    PhaseReport report = new PhaseReport(phase);
    try (Connection connection = config.target().open()) {
      List<DdlStatement> runnable = statements;
      boolean distributes = statements.stream().anyMatch(s -> s.step() == Step.DISTRIBUTE);
      if (distributes && (config.targetIsPlainPostgresql() || !hasCitus(connection))) {
        if (!config.targetIsPlainPostgresql()) {
          report.fail("the target " + config.target() + " has no citus extension, but the plan distributes "
              + "tables; run CREATE EXTENSION citus in the target database, or set target.plain-postgresql: true");
          return report;
        }
        runnable = statements.stream().filter(s -> s.step() != Step.DISTRIBUTE).toList();
        report.note("distribution skipped: the target is plain PostgreSQL (target.plain-postgresql)");
      }
      DdlExecutor.run(connection, runnable, report);
    }
    return report;
  }

  private static boolean hasCitus(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
      return rs.next();
    }
  }
}
