package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.CastRules;
import dev.pg2citus.plan.CitusRefusals;
import dev.pg2citus.plan.ColumnTypeCheck;
import dev.pg2citus.plan.DataCheck;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.DistributionPlanner;
import dev.pg2citus.plan.FunctionPlanner;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.plan.TargetNames;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema tool's three commands: {@link #load} reads the source and plans; {@link #create} runs
 * the pre-data phase on the target; {@link #finalizeSchema} the post-data phase, which a migration
 * runs beside its load instead ({@link #startPostData}, {@link #finishPostData}).
 */
public final class SchemaTool {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaTool.class);
  private final MigrationConfig config;
  private final TargetSchema target;
  /** The subjects of the statements of this tool that failed: a later statement that needs one is not issued. */
  private final Set<String> failed = new HashSet<>();
  /** Whether {@link #refuseSourceAsTarget} passed: a migration's schema phases do not check again. */
  private boolean targetChecked;

  private SchemaTool(MigrationConfig config, TargetSchema target) {
    this.config = config;
    this.target = target;
  }

  /**
   * Reads the source catalog, applies table filters and cast rules, and plans the distribution;
   * for Citus, lists the objects it refuses under the plan as not carried ({@link CitusRefusals});
   * with {@code load.not-carried: error}, refuses a source with objects that would not be carried.
   */
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
      List<String> problems = new ArrayList<>();
      DistributionPlan plan = null;
      TargetNames names = TargetNames.NONE;
      try {
        plan = DistributionPlanner.plan(catalog, config);
        if (!config.targetIsPlainPostgresql()) {
          catalog = CitusRefusals.apply(catalog, plan);
          problems.addAll(ColumnTypeCheck.problems(source, plan));
        }
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
      return new SchemaTool(config, new TargetSchema(catalog, plan, names));
    }
  }

  public TargetSchema target() {
    return target;
  }

  /**
   * For a run that creates no tables, the same tool aimed at the tables and sequences the target has
   * under their new names already (an earlier finalize renamed them) where their source names are
   * gone; otherwise this tool.
   */
  public SchemaTool locatedOnTarget() throws SQLException {
    MigrationConfig.Load load = config.load();
    if (target.names().isEmpty() || load.createsTables()) {
      return this;
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
    return new SchemaTool(config, target.standingAt(standing));
  }

  /**
   * Checks the rows of {@code source} against the plan ({@link DataCheck}); run it in the snapshot
   * the rows will be read in. The caller decides what to do with what it finds.
   */
  public List<DataCheck.Finding> checkData(Connection source) throws SQLException {
    return DataCheck.run(source, target.catalog(), target.plan(), config);
  }

  public SchemaScripts scripts() {
    return new SchemaScripts(target, config);
  }

  /**
   * Pre-data: creates and distributes the target tables. The plan's warnings are logged first, as
   * {@code plan} prints them, and noted in the report with the objects not carried.
   */
  public PhaseReport create() throws SQLException {
    refuseSourceAsTarget();
    refuseWhatCreateCannotDo(config.load().includeDrop());
    return create(config.load().includeDrop());
  }

  /**
   * Pre-data, dropping the plan's tables and types first when {@code dropFirst}: what a migration
   * resumed in create does, since the tables there are its own and hold no rows yet. The caller
   * has checked {@link #refuseWhatCreateCannotDo} (a migration does so before its run record).
   */
  public PhaseReport create(boolean dropFirst) throws SQLException {
    List<String> warnings = new ArrayList<>(target.plan().warnings());
    warnings.addAll(target.names().warnings());
    warnings.forEach(w -> LOG.warn("plan: {}", w));
    PhaseReport report = run("create", scripts().create(dropFirst));
    warnings.forEach(w -> report.note("plan: " + w));
    target.catalog().skipped().forEach(s -> report.note("not carried: " + s));
    return report;
  }

  /**
   * Post-data on its own (the {@code finalize} command), on tables loaded already: keys, indexes,
   * foreign keys, checks and ANALYZE on {@code load.index-workers} connections at once, then
   * sequences at the source's values now. It keeps no record and issues every statement.
   */
  public PhaseReport finalizeSchema() throws SQLException {
    refuseSourceAsTarget();
    putSourceNamesBack();
    try (PostDataRun run = PostDataRun.afterLoad(config.target(), config.load().indexWorkers(),
        scripts().postData().tasks())) {
      return finishPostData(run);
    }
  }

  /**
   * Starts post-data beside a load: a table's statements begin once {@code loading} no longer
   * lists it, and each one that takes effect is added to {@code record}, whose statements are
   * not issued again.
   */
  public PostDataRun startPostData(PostDataRun.Loading loading, PostDataRecord record) throws SQLException {
    putSourceNamesBack();
    return PostDataRun.besideLoad(config.target(), config.load().indexWorkers(), scripts().postData().tasks(),
        loading, record);
  }

  /**
   * Waits for a post-data run and reports it as the finalize phase; unless its load failed, sets
   * the sequences to the source's values now, then creates materialized views and triggers, the
   * last statements of the phase.
   */
  public PhaseReport finishPostData(PostDataRun run) throws SQLException {
    PostDataRun.Result result = run.await();
    PhaseReport report = new PhaseReport("finalize");
    result.outcomes().forEach((s, o) -> {
      if (o.causedBy() != null) {
        report.note(o.causedByNote(s));
      } else {
        report.record(s.step().label(), o.millis(), o.error());
      }
      if (o.error() != null && s.step().creates()) {
        failed.add(s.subject()); // what needs it after the load (a comment on it) is not issued
      }
    });
    if (result.complete()) {
      Map<TableName, Long> lastValues;
      try (Connection source = config.source().open()) {
        lastValues = new CatalogReader(source).lastValues(target.catalog().sequences());
      }
      List<DdlStatement> last = new ArrayList<>(scripts().postData().sequenceValues(lastValues));
      last.addAll(scripts().afterLoad());
      if (!last.isEmpty()) {
        try (Connection connection = config.target().open()) {
          DdlExecutor.run(connection, last, report, failed);
        }
      }
    } else {
      report.note("the data phase failed: " + result.notStarted() + " post-data statements were not started;"
          + " --resume runs them");
    }
    if (result.skipped() > 0) {
      report.note(result.skipped() + " post-data statements done by the earlier run were not issued again");
    }
    long found = result.outcomes().values().stream().filter(DdlExecutor.Outcome::foundInEffect).count();
    if (found > 0) {
      report.note(found + " keys, indexes and constraints were on the target already (by name), not issued again");
    }
    if (result.besideLoad()) {
      report.note(result.duringLoad() + " of " + report.statements() + " statements ran during the data phase");
    }
    if (!config.load().analyze()) {
      report.note("ANALYZE left to autovacuum (load.analyze: false)");
    }
    if (!target.names().isEmpty() && !config.load().createsTables()) {
      report.note("rename rules not applied: a run that creates no tables (data-only, create-tables: false) leaves"
          + " the names as they stand on the target; the run that creates the tables renames them");
    } else if (!target.names().isEmpty() && result.complete() && report.errors().isEmpty()) {
      report.note("renamed last: " + target.names().tables().size() + " tables (the summary names them as the"
          + " source does; the plan lists each rename) and " + target.names().moves().size() + " other objects");
    }
    if (!report.errors().isEmpty()) {
      report.note(report.errors().size() + " finalize statements failed, so those keys, indexes or objects are missing"
          + " on the target (each error names it): fix the cause, then run `pg2citus finalize` with the same"
          + " configuration, or `pg2citus migrate --resume`; what is in place already is recognised and skipped");
    }
    return report;
  }

  /**
   * Every command that writes starts here: a target that is the source database is refused before
   * anything is written ({@link TargetIsNotSource}); one on the source's server is said.
   */
  public void refuseSourceAsTarget() throws SQLException {
    if (!targetChecked) {
      TargetIsNotSource.check(config).ifPresent(LOG::info);
      targetChecked = true;
    }
  }

  /**
   * A finalize run again after one that renamed starts by undoing its renames: its statements name
   * the tables as the source does. A rename that cannot be undone stops finalize before it starts.
   */
  private void putSourceNamesBack() throws SQLException {
    List<DdlStatement> back = scripts().sourceNamesBack();
    if (back.isEmpty()) {
      return;
    }
    PhaseReport report = new PhaseReport("finalize");
    try (Connection connection = config.target().open()) {
      DdlExecutor.run(connection, back, report);
    }
    if (!report.errors().isEmpty()) {
      throw new SQLException("finalize cannot put the source names back before it runs again: "
          + String.join("; ", report.errors()));
    }
  }

  /**
   * What would make create fail half-way is refused before its first statement: a plan that
   * distributes tables on a target without citus, tables of the plan the target has already
   * (unless they are dropped first or loaded into). {@link #create()} checks it.
   */
  public void refuseWhatCreateCannotDo(boolean dropFirst) throws SQLException {
    MigrationConfig.Load load = config.load();
    try (Connection connection = config.target().open()) {
      if (target.plan().needsCitus() && !config.targetIsPlainPostgresql() && !hasCitus(connection)) {
        throw new ConfigException(new ConfigLocation(config.origin(), 0, "target.url"), "the target "
            + config.target() + " has no citus extension, but the plan distributes tables; run CREATE EXTENSION"
            + " citus in the target database, or set target.plain-postgresql: true");
      }
      if (!load.createsTables()) {
        return;
      }
      refuseMissingCreatePrivileges(connection);
      if (dropFirst) {
        return;
      }
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

  private PhaseReport run(String phase, List<DdlStatement> statements) throws SQLException {
    PhaseReport report = new PhaseReport(phase);
    try (Connection connection = config.target().open()) {
      List<DdlStatement> runnable = statements;
      boolean distributes = statements.stream().anyMatch(s -> s.step() == Step.DISTRIBUTE);
      if (distributes && config.targetIsPlainPostgresql()) {
        runnable = statements.stream().filter(s -> s.step() != Step.DISTRIBUTE).toList();
        report.note("distribution skipped: the target is plain PostgreSQL (target.plain-postgresql)");
      }
      DdlExecutor.run(connection, runnable, report, failed);
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
