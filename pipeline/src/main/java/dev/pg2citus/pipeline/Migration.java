package dev.pg2citus.pipeline;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.OutageWait;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.runrecord.EarlierRun;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.RunStep;
import dev.pg2citus.runrecord.StartedWith;
import dev.pg2citus.verify.Verification;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole migration, as a sequence of steps, each its own class: {@link Preflight} (the earlier
 * run, the source rows against the plan), the schema tool's create, the {@link DataPhase} under
 * one source snapshot with finalize beside it, the large objects ({@link LargeObjectCopy}),
 * {@link Verification}, and the summary. Each step
 * is recorded on the target once it has taken full effect, so {@code --resume} starts at the
 * first step missing, wherever the run stopped or was killed: create again (its tables are its
 * own and empty), the partitions left, the finalize statements not recorded, verification. Each
 * part can also run alone ({@code data-only}, {@code schema-only}).
 */
public final class Migration {
  private static final Logger LOG = LoggerFactory.getLogger(Migration.class);

  /**
   * How to run.
   *
   * @param resume continue the run recorded on the target instead of starting one
   * @param rejectsDir where {@code <table>.dat} and {@code <table>.log} of rejected rows go
   * @param progressSeconds how often progress is logged
   * @param waitForTarget wait for another run writing the target to end, instead of refusing ({@code --wait})
   * @param notConsistent resume even when the source changed since the earlier run's snapshot, the
   *     target then holding two states of it ({@code --not-consistent})
   */
  public record Options(boolean resume, Path rejectsDir, int progressSeconds, boolean waitForTarget,
      boolean notConsistent) {
    public Options(boolean resume, Path rejectsDir, int progressSeconds) {
      this(resume, rejectsDir, progressSeconds, false, false);
    }
  }

  private final MigrationConfig config;
  private final PipelineOptions pipelineOptions;
  private final Options options;
  /** What the run is doing, for a message when it stops unexpectedly. */
  private volatile String step = "planning";
  /** Whether the target holds this run's record, so that {@code --resume} can continue it. */
  private volatile boolean recorded;

  public Migration(MigrationConfig config, PipelineOptions pipelineOptions, Options options) {
    this.config = config;
    this.pipelineOptions = pipelineOptions;
    this.options = options;
  }

  /** What the run was doing last: {@code preflight}, {@code create}, {@code the data phase}… */
  public String step() {
    return step;
  }

  /** Whether the run began its record on the target (or resumes one): {@code --resume} continues it. */
  public boolean recorded() {
    return recorded;
  }

  public MigrationSummary run() throws SQLException, IOException {
    return run(new MigrationSummary());
  }

  /**
   * Runs into {@code summary}, so that a run that ends with an exception (a connection of the
   * launcher's own lost) leaves the phases it finished there for the caller to report.
   */
  public MigrationSummary run(MigrationSummary summary) throws SQLException, IOException {
    try (SchemaTool tool = SchemaTool.load(config).locatedOnTarget()) {
      // Before the run record is read: another run could be changing it.
      tool.claimTarget(options.resume() ? "migrate --resume" : "migrate", options.waitForTarget());
      return run(summary, tool);
    }
  }

  private MigrationSummary run(MigrationSummary summary, SchemaTool tool) throws SQLException, IOException {
    MigrationConfig.Load load = config.load();
    step = "preflight";
    Preflight preflight = new Preflight(config, tool, options.resume());
    EarlierRun earlier = preflight.earlierRun();
    recorded = earlier != null;
    if (earlier != null && earlier.finished()) {
      summary.phase("resume", 0, List.of(), List.of("the run on " + config.target() + " finished already (verified at "
          + earlier.finishedAt() + "): nothing to resume"));
      return summary;
    }
    if (!load.schemaOnly()) {
      preflight.checkSource();
    }
    // The snapshot is held from before the first row is read until the last count is taken.
    try (SourceSnapshot snapshot = load.schemaOnly() ? null : SourceSnapshot.open(config.source(),
        load.consistentSnapshot(), preflight.earlierSnapshot(earlier), CopySpecs.leaves(tool.target()))) {
      if (snapshot == null) { // schema only: no rows, no record
        step = "create and finalize (schema only)";
        if (phase(summary, tool::create)) {
          phase(summary, tool::finalizeSchema);
        }
        return summary;
      }
      List<String> resumedNotes = preflight.sourceChanged(earlier, snapshot, options.notConsistent());
      boolean created = earlier != null && earlier.done().contains(RunStep.CREATED);
      if (!created) {
        // A run resumed in create recreates its own tables: they hold no rows yet. A new run is
        // refused before its record is written when create could not run (tables there already),
        // so a record without CREATED always belongs to tables this run made.
        boolean dropFirst = earlier != null || load.includeDrop();
        if (load.checkData()) {
          preflight.checkData(snapshot, summary);
        }
        tool.refuseWhatCreateCannotDo(dropFirst);
        if (earlier == null) {
          record(run -> run.begin(StartedWith.of(config, tool.target().plan()), tool.claimedAs()));
          recorded = true;
        }
        step = "create";
        if (!phase(summary, () -> tool.create(dropFirst))) {
          return summary;
        }
        record(run -> run.steps().done(RunStep.CREATED));
      }
      CopySpecs specs = new CopySpecs(tool.target());
      boolean finalized = earlier != null && earlier.done().contains(RunStep.FINALIZED);
      if (finalized && !tool.recordedButMissing(RunRecord.postData()).isEmpty()) {
        // The record says finalize took effect, the target lacks some of it: finalize again, what is there skipped.
        LOG.warn("the run record holds finalize as done, but keys, indexes or constraints it built are missing on"
            + " the target: they are built again");
        finalized = false;
      }
      if (!finalized) {
        step = "the data phase (finalize beside it)";
        finalized = new DataPhase(config, pipelineOptions, options, tool)
            .run(snapshot, specs, summary, earlier != null && earlier.partitions() > 0, resumedNotes);
      }
      step = "large objects";
      long start = System.currentTimeMillis();
      PhaseReport largeObjects = new LargeObjectCopy(config, tool.scripts()).run(snapshot.id());
      if (!largeObjects.notes().isEmpty() || largeObjects.failed()) { // a source without any has no such phase
        summary.phase(largeObjects, System.currentTimeMillis() - start);
      }
      step = "verification";
      new Verification(config, tool.target(), earlier != null).run(snapshot, specs.tables(), summary);
      if (finalized && summary.outcome() != MigrationSummary.Outcome.NOT_COMPLETE) {
        record(run -> run.steps().done(RunStep.VERIFIED));
      }
    }
    return summary;
  }

  interface RecordWork {
    void run(RunRecord record) throws SQLException;
  }

  /** What a run that stopped after its record was begun tells the user to do. */
  static final String RESUME = "run migrate --resume to continue";

  /** Writes to the run record on a connection of its own, waiting out a lost one ({@code load.outage-wait}). */
  private void record(RecordWork work) throws SQLException {
    record(config, "writing the run record", work);
  }

  static void record(MigrationConfig config, String what, RecordWork work) throws SQLException {
    onTarget(config, what, c -> {
      work.run(RunRecord.on(c));
      return null;
    });
  }

  /**
   * Work of the launcher's own on a new target connection: when the connection is lost (the target
   * restarting, as the copy workers may have ridden out), it is done again within {@code load.outage-wait}.
   */
  static <T> T onTarget(MigrationConfig config, String what, OutageWait.OnConnection<T> work) throws SQLException {
    return OutageWait.of(config).onConnection(config.target(), what, RESUME, work);
  }

  interface SchemaPhase {
    PhaseReport run() throws SQLException;
  }

  /** Runs a schema phase into the summary; false when a statement failed. */
  static boolean phase(MigrationSummary summary, SchemaPhase phase) throws SQLException {
    long start = System.currentTimeMillis();
    PhaseReport report = phase.run();
    long millis = System.currentTimeMillis() - start;
    summary.phase(report, millis);
    LOG.info(report.line(millis));
    LOG.debug("{}:\n{}", report.phase(), report.render());
    return !report.failed();
  }
}
