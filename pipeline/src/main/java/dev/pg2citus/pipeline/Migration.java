package dev.pg2citus.pipeline;

import dev.pg2citus.catalog.Table;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.ConfigOptions.Verify;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.PostDataRun;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.plan.DataCheck;
import dev.pg2citus.read.PartitionPlanner;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.sql.Sql;
import dev.pg2citus.write.ProgressStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole migration: the schema tool's create, the Beam data phase under one source snapshot with
 * the schema tool's finalize beside it (each table's keys, indexes, foreign keys, checks and
 * ANALYZE start as soon as the run record shows its rows are in), then the check that every source
 * row is in the target or rejected, and the summary. Each part can run alone ({@code data-only},
 * {@code schema-only}), and a run that stopped can be resumed: finished partitions and post-data
 * statements are skipped, unfinished partitions redone from scratch.
 */
public final class Migration {
  private static final Logger LOG = LoggerFactory.getLogger(Migration.class);

  /**
   * How to run.
   *
   * @param resume continue the run recorded on the target instead of starting one
   * @param rejectsDir where {@code <table>.dat} and {@code <table>.log} of rejected rows go
   * @param progressSeconds how often progress is logged
   */
  public record Options(boolean resume, Path rejectsDir, int progressSeconds) {}

  private final MigrationConfig config;
  private final PipelineOptions pipelineOptions;
  private final Options options;

  public Migration(MigrationConfig config, PipelineOptions pipelineOptions, Options options) {
    this.config = config;
    this.pipelineOptions = pipelineOptions;
    this.options = options;
  }

  public MigrationSummary run() throws SQLException, IOException {
    return run(new MigrationSummary());
  }

  /**
   * Runs into {@code summary}, so that a run that ends with an exception (a connection of the
   * launcher's own lost) leaves the phases it finished there for the caller to report.
   */
  public MigrationSummary run(MigrationSummary summary) throws SQLException, IOException {
    MigrationConfig.Load load = config.load();
    SchemaTool tool = SchemaTool.load(config);
    checkPreviousRun(load, tool);
    // The snapshot is held from before the first row is read until the last count is taken.
    try (SourceSnapshot snapshot = load.schemaOnly() ? null
        : SourceSnapshot.open(config.source(), load.consistentSnapshot())) {
      if (!options.resume() && snapshot != null && load.checkData()) {
        checkData(tool, snapshot, summary);
      }
      if (!options.resume()) {
        discardEarlierRun();
        if (!phase(summary, tool::create)) {
          return summary;
        }
      }
      if (snapshot == null) {
        phase(summary, tool::finalizeSchema);
      } else {
        CopySpecs specs = new CopySpecs(tool.target());
        copyDataAndFinalize(tool, snapshot, specs, summary);
        verify(snapshot, specs, summary);
      }
    }
    return summary;
  }

  /**
   * The source rows, in the snapshot they will be copied from, checked against the plan before
   * anything is written: what would fail the run refuses it; rows that will be rejected are noted.
   */
  private static void checkData(SchemaTool tool, SourceSnapshot snapshot, MigrationSummary summary)
      throws SQLException {
    long start = System.currentTimeMillis();
    List<DataCheck.Finding> findings = tool.checkData(snapshot.connection());
    DataCheck.refuseIfNeeded(findings);
    findings.forEach(f -> LOG.warn("check-data: {}", f));
    summary.phase("check-data", System.currentTimeMillis() - start, List.of(),
        findings.stream().map(DataCheck.Finding::toString).toList());
  }

  private interface SchemaPhase {
    PhaseReport run() throws SQLException;
  }

  /** Runs a schema phase into the summary; false when a statement failed. */
  private static boolean phase(MigrationSummary summary, SchemaPhase phase) throws SQLException {
    long start = System.currentTimeMillis();
    PhaseReport report = phase.run();
    summary.phase(report, System.currentTimeMillis() - start);
    LOG.info("{}:\n{}", report.phase(), report.render());
    return !report.failed();
  }

  /** A target with an earlier run's record: resume it, start over (include-drop), or refuse. */
  private void checkPreviousRun(MigrationConfig.Load load, SchemaTool tool) throws SQLException {
    if (load.schemaOnly()) {
      return;
    }
    long[] previous;
    try (Connection target = config.target().open()) {
      previous = ProgressStore.previousRun(target);
    }
    ConfigLocation where = ConfigLocation.commandLine("migrate");
    if (options.resume() && previous == null) {
      throw new ConfigException(where, "there is no earlier run on " + config.target() + " to resume");
    }
    // Starting over must not leave the earlier run's rows behind: the tables are dropped (include-drop)
    // or, when they are not created here, truncated.
    boolean keepsTables = load.dataOnly() || !load.createTables();
    boolean canStartOver = keepsTables ? load.truncate() : load.includeDrop();
    if (!options.resume() && previous != null && !canStartOver) {
      throw new ConfigException(where, "the target holds an earlier run (" + previous[0] + " of " + previous[1]
          + " partitions done): run with --resume to continue it, or set "
          + (keepsTables ? "load.truncate" : "load.include-drop") + ": true to start over");
    }
    if (keepsTables) {
      refuseForeignKeys(where, tool);
    }
    if (previous != null && !options.resume()) {
      LOG.info("starting over: an earlier run had {} of {} partitions done", previous[0], previous[1]);
    }
  }

  /** A new run's record replaces the old one before create touches the tables, so no stale record survives. */
  private void discardEarlierRun() throws SQLException {
    try (Connection target = config.target().open(); Statement st = target.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS pg2citus CASCADE");
    }
  }

  /**
   * Loading into tables that already have foreign keys would depend on the order partitions commit
   * in, which no runner promises: rows could arrive before the rows they reference. A resumed run
   * loads only the tables with partitions left, and its earlier part gave foreign keys only to
   * tables whose rows were all in.
   */
  private void refuseForeignKeys(ConfigLocation where, SchemaTool tool) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Connection target = config.target().open(); Statement st = target.createStatement()) {
      Set<String> left = options.resume() ? ProgressStore.tablesLoading(target) : Set.of();
      for (Table t : tool.target().catalog().tables()) {
        if (options.resume() && !left.contains(t.name().toString())) {
          continue; // its rows are all in
        }
        try (ResultSet rs = st.executeQuery("SELECT conname FROM pg_constraint WHERE contype = 'f'"
            + " AND conrelid = to_regclass(" + Sql.literal(t.name().quoted()) + ")")) {
          while (rs.next()) {
            keys.add(t.name() + " " + rs.getString(1));
          }
        }
      }
    }
    if (!keys.isEmpty()) {
      throw new ConfigException(where, "the target tables already have foreign keys (" + String.join(", ", keys)
          + "): load the data before finalize creates them (create, migrate --data-only, finalize), or drop them");
    }
  }

  /**
   * The data phase, with post-data beside it from the start. When the load fails, the post-data
   * statements running finish and no more start, so a resume later issues the rest.
   */
  private void copyDataAndFinalize(SchemaTool tool, SourceSnapshot snapshot, CopySpecs specs,
      MigrationSummary summary) throws SQLException, IOException {
    long start = System.currentTimeMillis();
    List<Table> leaves = tool.target().catalog().tables().stream().filter(t -> !t.isPartitioned()).toList();
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    notes.add(snapshot.id() == null ? "read without a consistent snapshot (load.consistent-snapshot: false)"
        : "read under snapshot " + snapshot.id());
    try (Connection target = config.target().open()) {
      List<ReadPartition> partitions;
      if (options.resume()) {
        partitions = ProgressStore.pending(target);
        notes.add("resumed: " + partitions.size() + " partitions left to do, read under a new snapshot; partitions"
            + " the earlier run finished hold the source as it was then");
      } else {
        partitions = new PartitionPlanner(snapshot.connection(), config.load().partitionsPerTable(),
            config.load().splitThreshold()).plan(leaves);
        ProgressStore.start(target, partitions);
      }
      LOG.info("copying {} tables in {} partitions", leaves.size(), partitions.size());
      Pipeline pipeline = Pipeline.create(pipelineOptions);
      MigrationPipeline.build(pipeline, config, snapshot.id(), specs, partitions);
      try (TablesLoading loading = new TablesLoading(config.target(), leaves);
          PostDataRun postData = tool.startPostData(loading, ProgressStore.postData())) {
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleAtFixedRate(new ProgressLog(config, start), options.progressSeconds(),
            options.progressSeconds(), TimeUnit.SECONDS);
        String failure = null;
        try {
          PipelineResult.State state = pipeline.run().waitUntilFinish();
          if (state != PipelineResult.State.DONE) {
            failure = "the Beam job ended " + state + " instead of DONE";
          }
        } catch (RuntimeException e) {
          failure = rootMessage(e);
        } finally {
          progress.shutdownNow();
        }
        notes.addAll(ProgressStore.retries(target));
        // The run record, not the runner, says whether every partition committed.
        int left = ProgressStore.pending(target).size();
        String notCopied = left == 0 ? null : left + " of " + partitions.size() + " partitions not copied (the"
            + " committed ones are kept): run `migrate --resume` to copy the rest";
        if (failure != null || notCopied != null) {
          errors.add(failure == null ? "the data phase stopped with " + notCopied
              : notCopied == null ? failure : failure + "; " + notCopied);
        }
        if (errors.isEmpty()) {
          postData.loadEnded();
        } else {
          postData.abandon();
        }
        writeRejects(target, summary);
        summary.phase("data", System.currentTimeMillis() - start, errors, notes);
        phase(summary, () -> tool.finishPostData(postData));
      }
    }
  }

  /** Counts each table on both sides: the source inside the snapshot, so the counts are of the copied moment. */
  private void verify(SourceSnapshot snapshot, CopySpecs specs, MigrationSummary summary) throws SQLException {
    long start = System.currentTimeMillis();
    try (Connection target = config.target().open()) {
      Map<String, ProgressStore.TableTotals> totals =
          ProgressStore.totals(target, specs.tables().stream().map(TableCopy::table).toList());
      boolean checksums = config.load().verify() == Verify.CHECKSUMS;
      // A resumed run read its tables under two snapshots: check each added column against its parent.
      boolean backfill = checksums || options.resume();
      try (Statement st = target.createStatement()) {
        st.execute("SET citus.enable_repartition_joins = on"); // a placeholder setting where Citus is absent
      }
      for (TableCopy t : specs.tables()) {
        ProgressStore.TableTotals done = totals.get(t.table());
        // With rejects the sides differ by design; the reject files account for the difference.
        Boolean match = checksums && done.rowsRejected() == 0
            ? checksum(snapshot.connection(), t, t.readColumns()).equals(checksum(target, t, t.sourceColumns()))
            : null;
        long mismatches = backfill && t.backfill() != null ? scalar(target, t.backfill().checkSql()) : -1;
        summary.table(new MigrationSummary.TableRow(t.table(), count(snapshot.connection(), t.quotedTable()),
            done.rowsRead(), done.rowsWritten(), done.rowsRejected(), count(target, t.quotedTable()), done.bytes(),
            done.millis(), match, mismatches));
      }
    }
    summary.phase("verify", System.currentTimeMillis() - start, List.of(), List.of());
  }

  /**
   * An order-independent checksum of the columns' text: the sum of each row's md5, cut to 64 bits;
   * the source's as the copy reads them ({@code using} transforms applied). Both sides' sessions come
   * from this JVM, so time zone and float output settings agree.
   */
  private static String checksum(Connection c, TableCopy t, List<String> columns) throws SQLException {
    String sql = "SELECT coalesce(sum(('x' || left(md5(ROW(" + String.join(", ", columns)
        + ")::text), 16))::bit(64)::bigint), 0)::text FROM ONLY " + t.quotedTable();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(Connection c, String quotedTable) throws SQLException {
    return scalar(c, "SELECT count(*) FROM ONLY " + quotedTable);
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Writes {@code <table>.dat} (the source rows, as COPY text) and {@code <table>.log} (reason and row). */
  private void writeRejects(Connection target, MigrationSummary summary) throws SQLException, IOException {
    for (String table : ProgressStore.tablesWithRejects(target)) {
      Path dat = options.rejectsDir().resolve(table + ".dat");
      Path log = options.rejectsDir().resolve(table + ".log");
      Files.createDirectories(options.rejectsDir());
      long n;
      try (PrintWriter datOut = new PrintWriter(Files.newBufferedWriter(dat, StandardCharsets.UTF_8));
          PrintWriter logOut = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
        n = ProgressStore.rejects(target, table, (row, reason) -> {
          datOut.println(row);
          logOut.println(reason.replace('\n', ' ') + "\n  row: " + row);
        });
      }
      LOG.warn("{}: {} rejected rows written to {}", table, n, dat);
      summary.rejectFile(dat);
    }
  }

  /** The message of the first SQLException in the chain: it names the table and partition that failed. */
  /**
   * What went wrong, from the innermost causes up to the first SQLException: a runner's wrappers say
   * little ("Job execution failed"), the last one alone can say too little ("Timeout has occurred"),
   * so the last three distinct messages are kept, outermost first.
   */
  private static String rootMessage(Throwable e) {
    List<String> messages = new ArrayList<>();
    Throwable t = e;
    while (true) {
      Throwable cause = t.getCause() == t ? null : t.getCause();
      String m = t.getMessage();
      // A wrapper's message is often just its cause's toString().
      if (m != null && !m.isBlank() && (cause == null || !m.equals(cause.toString())) && !messages.contains(m)) {
        messages.add(m);
      }
      if (t instanceof SQLException || cause == null) {
        break;
      }
      t = cause;
    }
    if (messages.isEmpty()) {
      return t.toString();
    }
    return String.join(": ", messages.subList(Math.max(0, messages.size() - 3), messages.size()));
  }

  /** Logs per table: rows done, rows per second, percent of the estimate. */
  private static final class ProgressLog implements Runnable {
    private final MigrationConfig config;
    private final long start;

    ProgressLog(MigrationConfig config, long start) {
      this.config = config;
      this.start = start;
    }

    @Override
    public void run() {
      try (Connection target = config.target().open()) {
        double seconds = Math.max(0.001, (System.currentTimeMillis() - start) / 1000.0);
        for (ProgressStore.Live t : ProgressStore.live(target)) {
          LOG.info("progress {}: {} rows, {} rows/s, {}% of ~{} ({} of {} partitions done)", t.table(), t.rows(),
              Math.round(t.rows() / seconds), Math.min(100, 100 * t.rows() / Math.max(1, t.estimatedRows())),
              t.estimatedRows(), t.donePartitions(), t.partitions());
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debug("progress not available: {}", e.getMessage());
      }
    }
  }
}
