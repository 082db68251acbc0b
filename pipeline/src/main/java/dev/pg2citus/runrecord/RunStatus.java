package dev.pg2citus.runrecord;

import dev.pg2citus.ddl.TargetLock;
import dev.pg2citus.sql.Relations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a run stands, as its record on the target tells it: what {@code pg2citus status} shows, from
 * another terminal or machine while the run goes on, or after it ended or was killed. Read in one
 * snapshot (a read-only repeatable-read transaction), so the figures agree with each other.
 *
 * @param now the target's clock when read (every duration is on the target's clock)
 * @param startedAt when the run was started (null for a record that kept no start)
 * @param copyingSince when the first partition that is done began (null before one is): the rate is taken
 *     from then, not from the run's start, which the pipeline's start-up would slow
 * @param steps the steps that have taken full effect, and when
 * @param tables each table's partitions and rows, written so far by done and open partitions
 * @param retries one line per partition copied again after a lost connection
 * @param rejectedRows rows in the record's rejects (they go to the reject files)
 * @param postDataDone finalize statements that took effect
 * @param lastPostData when the last of them took effect (null before the first)
 */
public record RunStatus(Instant now, Instant startedAt, Instant copyingSince, Map<RunStep, Instant> steps, List<TableStatus> tables,
    List<String> retries, long rejectedRows, long postDataDone, Instant lastPostData) {

  /**
   * What the target shows of a run right now, beside its record: the run holding the target (empty when
   * none does: it ended or was killed), and the statements its sessions are running, longest first.
   */
  public record Live(Optional<String> run, List<String> statements) {
    /** Read on {@code target}, in autocommit. */
    public static Live read(Connection target) throws SQLException {
      Optional<String> run = TargetLock.runningOn(target);
      List<String> statements = RunRecord.query(target, "SELECT round(extract(epoch FROM clock_timestamp()"
          + " - query_start))::bigint, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_activity"
          + " WHERE application_name LIKE 'pg2citus%' AND state = 'active' AND pid <> pg_backend_pid()"
          + " AND datname = current_database() ORDER BY query_start",
          rs -> rs.getString(2) + " (" + rs.getLong(1) + " s)");
      return new Live(run, statements);
    }
  }

  /** One table's partitions and rows. */
  public record TableStatus(String table, int partitionsDone, int partitions, long rowsWritten, long estimatedRows,
      long bytes, long rowsRejected) {
    /** Whether every partition committed. */
    public boolean done() {
      return partitionsDone == partitions;
    }
  }

  public RunStatus {
    steps = Map.copyOf(steps);
    tables = List.copyOf(tables);
    retries = List.copyOf(retries);
  }

  /**
   * The run recorded on {@code target}, or empty when there is none. Ends the connection's
   * transaction; leaves it in autocommit.
   */
  public static Optional<RunStatus> read(Connection target) throws SQLException {
    target.setAutoCommit(false);
    try {
      try (Statement st = target.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      if (!Relations.exists(target, RunSteps.TABLE)) {
        return Optional.empty();
      }
      Instant now = RunRecord.query(target, "SELECT clock_timestamp()", rs -> instant(rs.getTimestamp(1))).get(0);
      Map<RunStep, Instant> steps = new EnumMap<>(RunStep.class);
      for (Object[] row : RunRecord.query(target, "SELECT step, done_at FROM " + RunSteps.TABLE
          + " WHERE done_at IS NOT NULL", rs -> new Object[] {rs.getString(1), rs.getTimestamp(2)})) {
        steps.put(RunStep.valueOf((String) row[0]), instant((Timestamp) row[1]));
      }
      Instant startedAt = Relations.exists(target, StartedWith.RUN)
          ? RunRecord.query(target, "SELECT min(started_at) FROM " + StartedWith.RUN,
              rs -> instant(rs.getTimestamp(1))).get(0)
          : null;
      boolean queued = Relations.exists(target, PartitionQueue.TABLE);
      Instant copyingSince = queued ? RunRecord.query(target, "SELECT min(finished_at - millis * interval '1 ms')"
          + " FROM " + PartitionQueue.TABLE + " WHERE done", rs -> instant(rs.getTimestamp(1))).get(0) : null;
      List<TableStatus> tables = queued ? RunRecord.query(target,
          "SELECT p.table_name, count(*) FILTER (WHERE p.done), count(*),"
              + " sum(CASE WHEN p.done THEN p.rows_written ELSE coalesce(f.rows, 0) END), sum(p.estimated_rows),"
              + " coalesce(sum(p.bytes) FILTER (WHERE p.done), 0), coalesce(sum(p.rows_rejected), 0)"
              + " FROM " + PartitionQueue.TABLE + " p LEFT JOIN " + LiveProgress.TABLE + " f"
              + " USING (table_name, partition_no) GROUP BY 1 ORDER BY 1",
          rs -> new TableStatus(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5),
              rs.getLong(6), rs.getLong(7))) : List.of();
      List<String> retries = Relations.exists(target, Retries.TABLE) ? new Retries(target).describe() : List.of();
      long rejected = Relations.exists(target, Rejects.TABLE)
          ? RunRecord.query(target, "SELECT count(*) FROM " + Rejects.TABLE, rs -> rs.getLong(1)).get(0) : 0;
      Object[] postData = Relations.exists(target, PostDataStatements.TABLE)
          ? RunRecord.query(target, "SELECT count(*), max(done_at) FROM " + PostDataStatements.TABLE,
              rs -> new Object[] {rs.getLong(1), rs.getTimestamp(2)}).get(0)
          : new Object[] {0L, null};
      return Optional.of(new RunStatus(now, startedAt, copyingSince, steps, tables, retries, rejected, (Long) postData[0],
          instant((Timestamp) postData[1])));
    } finally {
      target.rollback();
      target.setAutoCommit(true);
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  /** The phase the run is in, or stopped in: create, data, finalize, verify; or finished. */
  public String phase() {
    for (RunStep step : RunStep.values()) {
      if (!steps.containsKey(step)) {
        return switch (step) {
          case CREATED -> "create";
          case LOADED -> "data";
          case FINALIZED -> "finalize";
          case VERIFIED -> "verify";
        };
      }
    }
    return "finished";
  }

  public boolean finished() {
    return steps.containsKey(RunStep.VERIFIED);
  }

  /** Rows written so far, by done partitions and, as far as they got, open ones. */
  public long rowsWritten() {
    return tables.stream().mapToLong(TableStatus::rowsWritten).sum();
  }

  /** The rows the data phase expects: done tables as written, the others by the planner's estimate. */
  public long rowsExpected() {
    return tables.stream().mapToLong(t -> t.done() ? t.rowsWritten() : Math.max(t.estimatedRows(), t.rowsWritten()))
        .sum();
  }

  /**
   * Rows per second since the first done partition began; empty before one is done, or once the data
   * phase ended.
   */
  public Optional<Double> rowsPerSecond() {
    if (copyingSince == null || steps.containsKey(RunStep.LOADED)) {
      return Optional.empty();
    }
    double seconds = Duration.between(copyingSince, now).toMillis() / 1000.0;
    return seconds <= 0 ? Optional.empty() : Optional.of(rowsWritten() / seconds);
  }

  /**
   * When the data phase should end at the rate so far, from the planner's row estimates: empty when
   * it is not under way. An estimate, as the row counts it rests on are.
   */
  public Optional<Duration> dataEta() {
    return rowsPerSecond().map(rate -> Duration.ofSeconds(Math.round((rowsExpected() - rowsWritten()) / rate)));
  }
}
