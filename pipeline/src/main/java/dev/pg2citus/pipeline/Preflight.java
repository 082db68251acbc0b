package dev.pg2citus.pipeline;

import dev.pg2citus.catalog.Table;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.plan.DataCheck;
import dev.pg2citus.read.SourceChanges;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.runrecord.EarlierRun;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.SourceState;
import dev.pg2citus.runrecord.StartedWith;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a migration checks before it writes anything: the run an earlier migration left on the
 * target (resume it, start over, or refuse), foreign keys on tables about to be loaded, and the
 * source rows against the plan ({@link DataCheck}).
 */
final class Preflight {
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

  private final MigrationConfig config;
  private final SchemaTool tool;
  private final boolean resume;

  Preflight(MigrationConfig config, SchemaTool tool, boolean resume) {
    this.config = config;
    this.tool = tool;
    this.resume = resume;
  }

  /**
   * The run recorded on the target, when it is to be resumed; null for a new run. Refuses a resume
   * without a record, and a new run over a record that it cannot start over from.
   */
  EarlierRun earlierRun() throws SQLException {
    MigrationConfig.Load load = config.load();
    if (load.schemaOnly()) {
      return null; // a schema-only run keeps no record
    }
    EarlierRun earlier;
    StartedWith startedWith;
    try (Connection target = config.target().open()) {
      earlier = RunRecord.on(target).earlierRun();
      startedWith = earlier == null ? null : RunRecord.on(target).startedWith();
    }
    ConfigLocation where = ConfigLocation.commandLine("migrate");
    if (resume && earlier == null) {
      throw new ConfigException(where, "there is no earlier run on " + config.target() + " to resume");
    }
    if (resume && !earlier.finished()) {
      refuseAnotherStart(startedWith, where);
    }
    // Starting over must not leave the earlier run's rows behind: the tables are dropped (include-drop)
    // or, when they are not created here, truncated.
    boolean keepsTables = !load.createsTables();
    boolean canStartOver = keepsTables ? load.truncate() : load.includeDrop();
    if (!resume && earlier != null && !canStartOver) {
      String startOver = (keepsTables ? "load.truncate" : "load.include-drop") + ": true to start over";
      throw new ConfigException(where, "the target holds " + earlier.describe() + ": "
          + (earlier.finished() ? "set " + startOver : "run with --resume to continue it, or set " + startOver));
    }
    if (keepsTables) {
      refuseForeignKeys(where);
    }
    if (earlier != null && !resume) {
      LOG.info("starting over: the target held {}", earlier.describe());
    }
    return resume ? earlier : null;
  }

  /**
   * A resumed run goes on with what the earlier run started: another configuration or plan (another
   * rule, filter, shard count; a source whose tables changed) would write a different target on top
   * of the earlier one's. Refused before anything is written, saying what changed and what to do.
   */
  private void refuseAnotherStart(StartedWith earlier, ConfigLocation where) {
    if (earlier == null) {
      LOG.warn("the earlier run's record does not say what it was started with (an older pg2citus): resuming"
          + " with this configuration, not compared");
      return;
    }
    StartedWith now = StartedWith.of(config, tool.target().plan());
    List<String> changes = now.differences(earlier);
    if (!changes.isEmpty()) {
      throw new ConfigException(where, "--resume refused: the run on " + config.target() + " was started with"
          + " another configuration or plan (fingerprint " + earlier.fingerprint().substring(0, 12) + ", now "
          + now.fingerprint().substring(0, 12) + "); nothing was written. What changed:\n  - "
          + String.join("\n  - ", changes) + "\nEither resume with the configuration the run was started with,"
          + " or start a fresh run with the new one: migrate without --resume, with load.include-drop: true"
          + " (it drops what the earlier run wrote)");
    }
  }

  /**
   * Loading into tables that already have foreign keys would depend on the order partitions commit
   * in, which no runner promises: rows could arrive before the rows they reference. A resumed run
   * loads only the tables with partitions left, and its earlier part gave foreign keys only to
   * tables whose rows were all in.
   */
  private void refuseForeignKeys(ConfigLocation where) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Connection target = config.target().open(); Statement st = target.createStatement()) {
      Set<String> left = resume ? RunRecord.on(target).queue().tablesLoading() : Set.of();
      for (Table t : tool.target().catalog().tables()) {
        if (resume && !left.contains(t.name().toString())) {
          continue; // its rows are all in
        }
        try (ResultSet rs = st.executeQuery("SELECT conname FROM pg_constraint WHERE contype = 'f'"
            + " AND conrelid = to_regclass(" + Sql.literal(tool.target().onTarget(t.name()).quoted()) + ")")) {
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
   * The snapshot of the run being resumed, for the resume to import if its session still holds it;
   * null when no partition it read is kept.
   */
  String earlierSnapshot(EarlierRun earlier) throws SQLException {
    if (!readsTwoStates(earlier)) {
      return null;
    }
    try (Connection target = config.target().open()) {
      SourceState state = SourceState.read(target);
      return state == null ? null : state.snapshot();
    }
  }

  /** Whether the earlier run kept partitions and left some: the rest would be read under another snapshot. */
  private static boolean readsTwoStates(EarlierRun earlier) {
    return earlier != null && earlier.partitionsDone() > 0 && earlier.partitionsDone() < earlier.partitions();
  }

  /**
   * A resume that reads the partitions left in another snapshot than the earlier run's would mix
   * two states of the source when it was written since: refused then, before anything is written,
   * saying what the earlier run holds and what to do, unless {@code notConsistent} accepts it.
   * Returns what the data phase notes about the snapshot the partitions left are read in.
   */
  List<String> sourceChanged(EarlierRun earlier, SourceSnapshot snapshot, boolean notConsistent)
      throws SQLException {
    if (!readsTwoStates(earlier)) {
      return List.of();
    }
    if (snapshot.imported()) {
      return List.of("read under the earlier run's snapshot, which its session still held: every partition holds"
          + " the same moment of the source");
    }
    SourceState state;
    List<String> held;
    try (Connection target = config.target().open()) {
      state = SourceState.read(target);
      held = RunRecord.on(target).queue().doneByTable();
    }
    if (state == null || state.snapshot() == null) {
      return List.of("read under a new snapshot; partitions the earlier run finished hold the source as it was then"
          + (state == null ? " (its record, from an older pg2citus, does not say whether the source changed)"
              : " (it read without a consistent snapshot)"));
    }
    try {
      Thread.sleep(SourceChanges.SETTLE_MILLIS); // for writes just committed to reach the counters
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while reading the source's write counters", "57014", e);
    }
    SourceChanges now = SourceChanges.read(snapshot.connection(), CopySpecs.leaves(tool.target()));
    boolean known = now.known() && state.changes().known();
    List<String> changed = known ? now.changedSince(state.changes()) : List.of();
    if (known && changed.isEmpty()) {
      return List.of("read under a new snapshot; the migrated tables were not written since the earlier run's"
          + " snapshot of " + state.takenAt() + " (their write counters and files are unchanged): every partition"
          + " holds the same rows");
    }
    String what = known ? "the source changed since the earlier run's snapshot of " + state.takenAt() + ": migrated"
        + " tables were written since (their counts of rows inserted, updated and deleted, or their files, moved): "
        + String.join(", ", changed)
        : "whether the source changed since the earlier run's snapshot of " + state.takenAt() + " cannot be told:"
            + " track_counts is off on the source " + config.source().address();
    String holds = "the earlier run holds " + earlier.partitionsDone() + " of " + earlier.partitions()
        + " partitions as the source was then: " + String.join(", ", held);
    if (!notConsistent) {
      throw new ConfigException(ConfigLocation.commandLine("migrate"), "--resume refused: " + what
          + "; nothing was written. The earlier run's snapshot is gone with its session, and " + holds
          + ". Copying the rest now would mix two states of the source (rows whose references are missing, rows"
          + " counted twice or not at all). Either start again: migrate without --resume, with"
          + " load.include-drop: true (it drops what the earlier run wrote); or accept a target that mixes both"
          + " states: migrate --resume --not-consistent");
    }
    LOG.warn("--not-consistent: {}; {}; the rest is read as the source is now", what, holds);
    return List.of("NOT CONSISTENT (--not-consistent): " + what + "; " + holds + ", the rest as it is now");
  }

  /**
   * A hot standby as the source cancels long reads when WAL replay conflicts with them (a vacuum on
   * the primary), unless it tells the primary what it reads (hot_standby_feedback) or waits for them
   * (max_standby_streaming_delay = -1): refused without either, before anything is written.
   */
  void checkSource() throws SQLException {
    try (Connection source = config.source().open(); Statement st = source.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('hot_standby_feedback'),"
            + " current_setting('max_standby_streaming_delay')")) {
      rs.next();
      if (rs.getBoolean(1) && rs.getString(2).equals("off") && !rs.getString(3).equals("-1")) {
        throw new ConfigException(new ConfigLocation(config.origin(), 0, "source.url"), "the source "
            + config.source().address() + " is a hot standby with hot_standby_feedback off and"
            + " max_standby_streaming_delay = " + rs.getString(3) + ": replaying the primary's changes would cancel"
            + " the migration's reads (canceling statement due to conflict with recovery); set hot_standby_feedback"
            + " = on (or max_standby_streaming_delay = -1) on the standby, or migrate from the primary");
      }
      if (rs.getBoolean(1)) {
        LOG.info("the source {} is a hot standby (hot_standby_feedback {}, max_standby_streaming_delay {})",
            config.source().address(), rs.getString(2), rs.getString(3));
      }
    }
  }

  /**
   * The source rows, in the snapshot they will be copied from, checked against the plan before
   * anything is written: what would fail the run refuses it; rows that will be rejected are noted.
   */
  void checkData(SourceSnapshot snapshot, MigrationSummary summary) throws SQLException {
    long start = System.currentTimeMillis();
    List<DataCheck.Finding> findings = tool.checkData(snapshot.connection());
    DataCheck.refuseIfNeeded(findings);
    findings.forEach(f -> LOG.warn("check-data: {}", f));
    summary.phase("check-data", System.currentTimeMillis() - start, List.of(),
        findings.stream().map(DataCheck.Finding::toString).toList());
  }
}
