package dev.pg2citus.runrecord;

import dev.pg2citus.sql.Relations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The run record: what a migration has done, kept on the target in schema {@code pg2citus}
 * (coordinator-local tables on Citus), so that a run stopped or killed anywhere can be resumed.
 * Its parts, each a table with its own class:
 *
 * <ul>
 *   <li>{@link RunSteps}: which steps ({@link RunStep}) have taken full effect;
 *   <li>{@link PartitionQueue}: every read partition, the copy workers' queue, with whether it is
 *       done and what it wrote;
 *   <li>{@link Rejects}: every rejected row with its reason;
 *   <li>{@link Retries}: every partition copied again after a lost connection;
 *   <li>{@link PostDataStatements}: every finalize statement that took effect;
 *   <li>{@link LiveProgress}: rows written so far by partitions still open;
 *   <li>{@code run}: the run's id, which the {@link ShardLedger} on each worker keys its rows by.
 *   <li>{@link StartedWith}: the options and plan the run was started with, fingerprinted;
 *   <li>{@link SourceState}: the source's snapshot and write counters when the partitions were planned.
 * </ul>
 *
 * A partition's rows, its rejects and its "done" mark commit in one target transaction, so a
 * retried or resumed partition neither duplicates nor loses rows; a finalize statement commits
 * with its entry, so a resumed run issues only the statements still missing.
 *
 * <pre>{@code
 * RunRecord record = RunRecord.on(target);
 * ReadPartition p = record.queue().claimNext(tables);
 * }</pre>
 */
public final class RunRecord {
  static final String SCHEMA = "pg2citus";
  /** The run id (not {@code pg2citus.run}, where {@link StartedWith} keeps what the run was started with). */
  private static final String RUN_ID = SCHEMA + ".run_id";

  private final Connection target;

  private RunRecord(Connection target) {
    this.target = target;
  }

  /** The run record on {@code target}, read and written on that connection (in its transaction, if one is open). */
  public static RunRecord on(Connection target) {
    return new RunRecord(target);
  }

  public RunSteps steps() {
    return new RunSteps(target);
  }

  public PartitionQueue queue() {
    return new PartitionQueue(target);
  }

  public Rejects rejects() {
    return new Rejects(target);
  }

  public Retries retries() {
    return new Retries(target);
  }

  public LiveProgress progress() {
    return new LiveProgress(target);
  }

  /** The finalize statements of this run; the post-data run gives each statement's own connection. */
  public static PostDataStatements postData() {
    return new PostDataStatements();
  }

  /** Starts a new record that keeps nothing of what the run was started with (tests of the record alone). */
  public void begin() throws SQLException {
    begin(null, "");
  }

  /**
   * Starts a new record before anything else is written: drops any earlier one, creates its tables
   * empty, and keeps what the run was {@code startedWith} (when given) and who started it. The caller
   * holds the target ({@code TargetLock}), so no other run creates the schema at the same time.
   */
  public void begin(StartedWith startedWith, String startedBy) throws SQLException {
    target.setAutoCommit(false);
    try (Statement st = target.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      st.execute("CREATE SCHEMA " + SCHEMA);
      for (String create : new String[] {RunSteps.CREATE, PartitionQueue.CREATE, Rejects.CREATE, LiveProgress.CREATE,
          Retries.CREATE, PostDataStatements.CREATE, StartedWith.CREATE, StartedWith.CREATE_RUN, SourceState.CREATE}) {
        st.execute(create);
      }
      st.execute(RUN_CREATE);
    }
    if (startedWith != null) {
      startedWith.save(target, startedBy);
    }
    target.commit();
    target.setAutoCommit(true);
  }

  private static final String RUN_CREATE = "CREATE TABLE IF NOT EXISTS " + RUN_ID + " AS SELECT"
      + " gen_random_uuid()::text AS run_id";

  /**
   * This run's id, the same across {@code --resume}: a new one with each {@link #begin}, so that a
   * worker's {@link ShardLedger} rows of an earlier run never count for this one. A record from before
   * run ids gets one now.
   */
  public String runId() throws SQLException {
    if (!Relations.exists(target, RUN_ID)) {
      try (Statement st = target.createStatement()) {
        st.execute(RUN_CREATE);
      }
    }
    return query(target, "SELECT run_id FROM " + RUN_ID, rs -> rs.getString(1)).get(0);
  }

  /** What the recorded run was started with, or null when its record kept none (an older pg2citus). */
  public StartedWith startedWith() throws SQLException {
    return StartedWith.read(target);
  }

  /** What one row of a query's result is read into. */
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Every row {@code sql} returns on {@code target}, read by {@code reader}. */
  static <T> List<T> query(Connection target, String sql, RowReader<T> reader) throws SQLException {
    List<T> result = new ArrayList<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        result.add(reader.read(rs));
      }
    }
    return result;
  }

  /**
   * The run recorded on the target, or null when there is none. A record without steps, from a
   * pg2citus before they were recorded, lacks what a resume needs, so it counts as none: a new run
   * replaces it, and create refuses the tables it finds unless told to drop them.
   */
  public EarlierRun earlierRun() throws SQLException {
    if (!Relations.exists(target, RunSteps.TABLE)) {
      return null;
    }
    Set<RunStep> done = EnumSet.noneOf(RunStep.class);
    String finishedAt = null;
    for (String[] row : query(target, "SELECT step, done_at::text FROM " + RunSteps.TABLE
        + " WHERE done_at IS NOT NULL", rs -> new String[] {rs.getString(1), rs.getString(2)})) {
      RunStep step = RunStep.valueOf(row[0]);
      done.add(step);
      finishedAt = step == RunStep.VERIFIED ? row[1] : finishedAt;
    }
    long[] partitions = queue().doneAndAll();
    return new EarlierRun(done, partitions[0], partitions[1], finishedAt);
  }
}
