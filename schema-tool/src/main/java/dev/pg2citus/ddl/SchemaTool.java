package dev.pg2citus.ddl;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.CitusRefusals;
import dev.pg2citus.plan.DataCheck;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema tool's three commands: {@link #load} reads the source and plans
 * ({@link TargetSchemaLoader}); {@link #create} runs the pre-data phase on the target, after
 * {@link TargetIsNotSource}'s and {@link CreatePreflight}'s checks; {@link #finalizeSchema} the post-data phase
 * ({@link FinalizePhase}), which a migration runs beside its load instead ({@link #startPostData},
 * {@link #finishPostData}). A tool that wrote holds the target until it is closed ({@link #claimTarget}).
 */
public final class SchemaTool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaTool.class);
  private final MigrationConfig config;
  private final TargetSchema target;
  /** The subjects of the statements of this tool that failed: a later statement that needs one is not issued. */
  private final Set<String> failed = new HashSet<>();
  /** Held from {@link #claimTarget} until {@link #close}: a migration's schema phases do not claim again. */
  private TargetLock lock;

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
    return new SchemaTool(config, TargetSchemaLoader.load(config));
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
    TargetSchema located = RenamedOnTarget.locate(config, target);
    return located == target ? this : new SchemaTool(config, located);
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
   * {@code plan} prints them, and noted in the report with the objects not carried. Holds the target
   * while it runs, unless the caller claimed it already ({@link #claimTarget}).
   */
  public PhaseReport create() throws SQLException {
    boolean claimedHere = lock == null;
    claimTarget("create", false);
    try {
      refuseWhatCreateCannotDo(config.load().includeDrop());
      return create(config.load().includeDrop());
    } finally {
      if (claimedHere) {
        close(); // a caller that claimed the target first keeps it until it closes the tool
      }
    }
  }

  /**
   * Pre-data, dropping the plan's tables and types first when {@code dropFirst}: what a migration
   * resumed in create does, since the tables there are its own and hold no rows yet. The caller
   * has checked {@link #refuseWhatCreateCannotDo} (a migration does so before its run record).
   */
  public PhaseReport create(boolean dropFirst) throws SQLException {
    List<String> warnings = new ArrayList<>(target.plan().warnings());
    warnings.addAll(target.names().warnings());
    warnings.forEach(w -> LOG.debug("plan: {}", w));
    if (!warnings.isEmpty()) { // one line, however many: each is in the summary and in `plan`
      LOG.warn("plan: {} {}, each noted in the summary (and listed by pg2citus plan)", warnings.size(),
          warnings.size() == 1 ? "warning" : "warnings");
    }
    PhaseReport report = new PhaseReport("create");
    List<DdlStatement> statements = scripts().create(dropFirst);
    if (config.targetIsPlainPostgresql() && statements.stream().anyMatch(s -> s.step() == Step.DISTRIBUTE)) {
      statements = statements.stream().filter(s -> s.step() != Step.DISTRIBUTE).toList();
      report.note("distribution skipped: the target is plain PostgreSQL (target.plain-postgresql)");
    }
    try (Connection connection = config.target().open()) {
      DdlExecutor.run(connection, statements, report, failed);
    }
    warnings.forEach(w -> report.note("plan: " + w));
    target.plan().weakenedKeys().forEach(w -> report.note("plan: key rewritten: " + w));
    target.catalog().skipped().forEach(s -> report.note("not carried: " + s));
    return report;
  }

  /**
   * Post-data on its own (the {@code finalize} command), on tables loaded already: keys, indexes,
   * foreign keys, checks and ANALYZE on {@code load.index-workers} connections at once, then
   * sequences at the source's values now. It keeps no record and issues every statement. Holds the
   * target while it runs, unless the caller claimed it already.
   */
  public PhaseReport finalizeSchema() throws SQLException {
    boolean claimedHere = lock == null;
    claimTarget("finalize", false);
    try {
      return finalizePhase().alone();
    } finally {
      if (claimedHere) {
        close();
      }
    }
  }

  /**
   * Starts post-data beside a load: a table's statements begin once {@code loading} no longer
   * lists it, and each one that takes effect is added to {@code record}, whose statements are
   * not issued again.
   */
  public PostDataRun startPostData(PostDataRun.Loading loading, PostDataRecord record) throws SQLException {
    return finalizePhase().besideLoad(loading, record);
  }

  /**
   * The finalize statements {@code record} holds as done whose keys, indexes or constraints the target
   * lacks now (the catalog says so): a finalized run whose record claims them is finalized again.
   */
  public Set<String> recordedButMissing(PostDataRecord record) throws SQLException {
    try (Connection connection = config.target().open()) {
      return PostDataRun.missing(connection, scripts().finalizeScript().tableWork(), record.done(connection));
    }
  }

  /**
   * Waits for a post-data run and reports it as the finalize phase; unless its load failed, sets
   * the sequences to the source's values now, then creates materialized views and triggers, the
   * last statements of the phase.
   */
  public PhaseReport finishPostData(PostDataRun run) throws SQLException {
    return finalizePhase().finish(run);
  }

  /**
   * What would make create fail half-way is refused before its first statement: a plan that
   * distributes tables on a target without citus, tables of the plan the target has already
   * (unless they are dropped first or loaded into). {@link #create()} checks it.
   */
  public void refuseWhatCreateCannotDo(boolean dropFirst) throws SQLException {
    new CreatePreflight(config, target).refuseWhatCreateCannotDo(dropFirst);
  }

  /**
   * Every command that writes starts here, before anything is written: a target that is the source
   * database is refused ({@link TargetIsNotSource}; one on the source's server is said), then the
   * target is locked for this run until {@link #close} ({@link TargetLock}): another run writing it
   * is refused naming it (exit 2), or waited for with {@code wait}. Once claimed, later calls do nothing.
   *
   * @param command what this run is, for another run's refusal ({@code migrate}, {@code finalize}…)
   */
  public void claimTarget(String command, boolean wait) throws SQLException {
    if (lock == null) {
      TargetIsNotSource.check(config).ifPresent(LOG::info);
      lock = TargetLock.take(config.target(), command, wait);
    }
  }

  /** How this run names itself to others while it holds the target (command, start, process, host); else empty. */
  public String claimedAs() {
    return lock == null ? "" : lock.holder();
  }

  /** Frees the target for another run, if this tool claimed it. */
  @Override
  public void close() throws SQLException {
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  private FinalizePhase finalizePhase() {
    return new FinalizePhase(config, target, scripts().finalizeScript(), failed);
  }
}
