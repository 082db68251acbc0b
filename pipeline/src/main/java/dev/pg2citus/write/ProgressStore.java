package dev.pg2citus.write;

import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.PostDataRecord;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.sql.Relations;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's record on the target, in schema {@code pg2citus} (coordinator-local tables on Citus):
 * which steps of the run have taken effect, every read partition with whether it is done and what it wrote, every rejected row with its
 * reason, and every post-data statement that took effect. A partition's rows, its rejects and its
 * "done" mark commit in one target transaction, so a retried or resumed partition neither
 * duplicates nor loses rows; a post-data statement commits with its entry, so a resumed run
 * issues only the statements still missing.
 */
public final class ProgressStore {
  static final String PARTITIONS = "pg2citus.partitions";
  static final String REJECTS = "pg2citus.rejects";
  static final String IN_FLIGHT = "pg2citus.in_flight";
  static final String POST_DATA = "pg2citus.post_data";
  static final String RETRIES = "pg2citus.retries";
  static final String STEPS = "pg2citus.steps";

  private ProgressStore() {}

  /** What a partition did. */
  public record Done(long rowsRead, long rowsWritten, long rowsRejected, long bytes, long millis)
      implements Serializable {}

  /** Per-table totals of the done partitions. */
  public record TableTotals(String table, long rowsRead, long rowsWritten, long rowsRejected, long bytes,
      long millis) {}

  /**
   * The steps of a run, in order; each is recorded when it has taken full effect, so a resumed
   * run starts at the first one missing: after {@code CREATED} the partitions left (none once
   * {@code LOADED}, which is there for the record and messages), after {@code FINALIZED} verification
   * alone; {@link #VERIFIED} marks a finished run.
   */
  public enum Step { CREATED, LOADED, FINALIZED, VERIFIED }

  /**
   * What an earlier run left on the target.
   *
   * @param done the steps it finished
   * @param partitionsDone how many of its partitions committed
   * @param partitions how many it planned (0 until the data phase began)
   * @param finishedAt when it was verified, or null
   */
  public record EarlierRun(Set<Step> done, long partitionsDone, long partitions, String finishedAt) {
    public EarlierRun {
      done = done.isEmpty() ? EnumSet.noneOf(Step.class) : EnumSet.copyOf(done);
    }

    public boolean finished() {
      return done.contains(Step.VERIFIED);
    }

    /** How far it got, for messages. */
    public String describe() {
      if (finished()) {
        return "a finished run (verified at " + finishedAt + ")";
      }
      if (!done.contains(Step.CREATED)) {
        return "a run that stopped in create";
      }
      return partitions == 0 ? "a run whose tables were created"
          : "an earlier run (" + partitionsDone + " of " + partitions + " partitions done"
              + (done.contains(Step.LOADED) ? ", finalize not finished" : "") + ")";
    }
  }

  /**
   * The run recorded on the target, or null when there is none. A record without steps, from a
   * pg2citus before they were recorded, lacks what a resume needs, so it counts as none: a new run
   * replaces it, and create refuses the tables it finds unless told to drop them.
   */
  public static EarlierRun earlierRun(Connection target) throws SQLException {
    if (!Relations.exists(target, STEPS)) {
      return null;
    }
    Set<Step> done = EnumSet.noneOf(Step.class);
    String finishedAt = null;
    try (Statement st = target.createStatement();
        ResultSet rs = st.executeQuery("SELECT step, done_at::text FROM " + STEPS + " WHERE done_at IS NOT NULL")) {
      while (rs.next()) {
        Step step = Step.valueOf(rs.getString(1));
        done.add(step);
        finishedAt = step == Step.VERIFIED ? rs.getString(2) : finishedAt;
      }
    }
    return partitionsOf(target, done, finishedAt);
  }

  private static EarlierRun partitionsOf(Connection target, Set<Step> done, String finishedAt) throws SQLException {
    try (Statement st = target.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE done), count(*) FROM " + PARTITIONS)) {
      rs.next();
      return new EarlierRun(done, rs.getLong(1), rs.getLong(2), finishedAt);
    }
  }

  /** Starts a new record before anything else is written: drops any earlier one, creates its tables empty. */
  public static void begin(Connection target) throws SQLException {
    target.setAutoCommit(false);
    try (Statement st = target.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS pg2citus CASCADE");
      st.execute("CREATE SCHEMA pg2citus");
      st.execute("CREATE TABLE " + STEPS + " (step text PRIMARY KEY, done_at timestamptz)");
      st.execute("CREATE TABLE " + PARTITIONS + " (table_name text NOT NULL, partition_no int NOT NULL,"
          + " predicate text NOT NULL, estimated_rows bigint NOT NULL, done boolean NOT NULL DEFAULT false,"
          + " rows_read bigint, rows_written bigint, rows_rejected bigint, bytes bigint, millis bigint,"
          + " finished_at timestamptz, PRIMARY KEY (table_name, partition_no))");
      st.execute("CREATE TABLE " + REJECTS + " (table_name text NOT NULL, partition_no int NOT NULL,"
          + " row_text text NOT NULL, reason text NOT NULL)");
      // Rows written so far by partitions still open: progress only, outside their transactions.
      st.execute("CREATE UNLOGGED TABLE " + IN_FLIGHT + " (table_name text NOT NULL, partition_no int NOT NULL,"
          + " rows bigint NOT NULL, PRIMARY KEY (table_name, partition_no))");
      st.execute("CREATE TABLE " + RETRIES + " (table_name text NOT NULL, partition_no int NOT NULL,"
          + " retry int NOT NULL, lost text NOT NULL, reason text NOT NULL, at timestamptz NOT NULL)");
      // No key on the statement: an index definition can be longer than a btree entry may be.
      st.execute("CREATE TABLE " + POST_DATA + " (statement text NOT NULL, step text NOT NULL,"
          + " subject text NOT NULL, done_at timestamptz NOT NULL)");
    }
    target.commit();
    target.setAutoCommit(true);
  }

  /** Records that {@code step} has taken full effect. */
  public static void done(Connection target, Step step) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + STEPS + " VALUES (?, clock_timestamp())"
        + " ON CONFLICT (step) DO UPDATE SET done_at = excluded.done_at")) {
      ps.setString(1, step.name());
      ps.executeUpdate();
    }
  }

  /** Stores the planned partitions of the data phase, in one transaction. */
  public static void plan(Connection target, List<ReadPartition> partitions) throws SQLException {
    target.setAutoCommit(false);
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + PARTITIONS
        + " (table_name, partition_no, predicate, estimated_rows) VALUES (?, ?, ?, ?)")) {
      for (ReadPartition p : partitions) {
        ps.setString(1, p.table());
        ps.setInt(2, p.number());
        ps.setString(3, p.predicate());
        ps.setLong(4, p.estimatedRows());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    target.commit();
    target.setAutoCommit(true);
  }

  /** The partitions not done yet, as the first run planned them, largest first. */
  public static List<ReadPartition> pending(Connection target) throws SQLException {
    List<ReadPartition> result = new ArrayList<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT table_name, partition_no, predicate, estimated_rows FROM " + PARTITIONS
            + " WHERE NOT done ORDER BY estimated_rows DESC, table_name, partition_no")) {
      while (rs.next()) {
        result.add(new ReadPartition(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4)));
      }
    }
    return result;
  }

  /** The leaf tables ({@code schema.name}) with a partition not done yet: those still waiting for rows. */
  public static Set<String> tablesLoading(Connection target) throws SQLException {
    return strings(target, "SELECT DISTINCT table_name FROM " + PARTITIONS + " WHERE NOT done", new HashSet<>());
  }

  /** The post-data statements of this run, kept in {@code pg2citus.post_data}. */
  public static PostDataRecord postData() {
    return new PostDataRecord() {
      @Override
      public Set<String> done(Connection target) throws SQLException {
        return strings(target, "SELECT statement FROM " + POST_DATA, new HashSet<>());
      }

      @Override
      public void add(Connection target, DdlStatement statement) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + POST_DATA
            + " (statement, step, subject, done_at) VALUES (?, ?, ?, clock_timestamp())")) {
          ps.setString(1, statement.sql());
          ps.setString(2, statement.step().label());
          ps.setString(3, statement.subject());
          ps.executeUpdate();
        }
      }
    };
  }

  /**
   * Claims a partition inside the caller's open transaction: locks its row, and says whether it
   * still needs doing. A second attempt at the same partition waits here for the first to end.
   */
  static boolean claim(Connection target, ReadPartition p) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "SELECT done FROM " + PARTITIONS + " WHERE table_name = ? AND partition_no = ? FOR UPDATE")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(p + " is not in " + PARTITIONS + "; the run record was replaced");
        }
        return !rs.getBoolean(1);
      }
    }
  }

  /**
   * Claims the smallest partition of {@code tables} that is neither done nor claimed by another
   * worker, inside the caller's open transaction (its row stays locked until that transaction
   * ends); null when none is left. This is the data phase's work queue: whichever worker is free
   * takes the next partition, whatever runner spread the workers.
   *
   * <p>Smallest first: partitions are at most {@code load.split-threshold} rows, so the order
   * costs the last one little, and small tables (the parents and lookup tables others reference)
   * are done early, so their keys are built before the large tables that reference them are in.
   */
  static ReadPartition claimNext(Connection target, Collection<String> tables) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("SELECT table_name, partition_no, predicate, estimated_rows"
        + " FROM " + PARTITIONS + " WHERE NOT done AND table_name = ANY (?)"
        + " ORDER BY estimated_rows, table_name, partition_no LIMIT 1 FOR UPDATE SKIP LOCKED")) {
      ps.setArray(1, target.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new ReadPartition(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4)) : null;
      }
    }
  }

  /** Records how many rows an open partition has written so far, on an autocommit connection. */
  static void inFlight(Connection progress, ReadPartition p, long rows) throws SQLException {
    try (PreparedStatement ps = progress.prepareStatement("INSERT INTO " + IN_FLIGHT
        + " (table_name, partition_no, rows) VALUES (?, ?, ?)"
        + " ON CONFLICT (table_name, partition_no) DO UPDATE SET rows = EXCLUDED.rows")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      ps.setLong(3, rows);
      ps.executeUpdate();
    }
  }

  /**
   * Records that a worker copies {@code p} again, for the {@code retry}th time, after losing the
   * connection to {@code lost} ({@code target host:port/db}) for {@code reason}; on an autocommit
   * connection.
   */
  static void retried(Connection progress, ReadPartition p, int retry, String lost, String reason)
      throws SQLException {
    try (PreparedStatement ps = progress.prepareStatement("INSERT INTO " + RETRIES
        + " (table_name, partition_no, retry, lost, reason, at) VALUES (?, ?, ?, ?, ?, clock_timestamp())")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      ps.setInt(3, retry);
      ps.setString(4, lost);
      ps.setString(5, reason);
      ps.executeUpdate();
    }
  }

  /**
   * One line per partition that was copied again after a lost connection: how often, and the
   * last connection lost and why. Empty for a record without retries.
   */
  public static List<String> retries(Connection target) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT DISTINCT ON (table_name, partition_no) table_name, partition_no, count(*) OVER w, lost, reason"
            + " FROM " + RETRIES + " WINDOW w AS (PARTITION BY table_name, partition_no)"
            + " ORDER BY table_name, partition_no, at DESC")) {
      while (rs.next()) {
        long n = rs.getLong(3);
        result.add(rs.getString(1) + " partition " + rs.getInt(2) + ": copied again " + n + (n == 1 ? " time" : " times")
            + " after the connection to the " + rs.getString(4) + " was lost (" + rs.getString(5) + ")");
      }
    }
    return result;
  }

  /** Progress of one table: rows written (done partitions, and open ones so far), estimate, partitions. */
  public record Live(String table, long rows, long estimatedRows, int donePartitions, int partitions) {}

  /** Progress of every table with a partition still open. */
  public static List<Live> live(Connection target) throws SQLException {
    List<Live> result = new ArrayList<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT p.table_name, sum(CASE WHEN p.done THEN p.rows_written ELSE coalesce(f.rows, 0) END),"
            + " sum(p.estimated_rows), count(*) FILTER (WHERE p.done), count(*) FROM " + PARTITIONS + " p"
            + " LEFT JOIN " + IN_FLIGHT + " f USING (table_name, partition_no) GROUP BY 1"
            + " HAVING count(*) FILTER (WHERE NOT p.done) > 0 ORDER BY 1")) {
      while (rs.next()) {
        result.add(new Live(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getInt(5)));
      }
    }
    return result;
  }

  /**
   * Marks a claimed partition done, in the caller's transaction; {@code finished_at} is the moment
   * of marking, just before the commit ({@code now()} would be when the transaction began).
   */
  static void markDone(Connection target, ReadPartition p, Done done) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("UPDATE " + PARTITIONS + " SET done = true, rows_read = ?,"
        + " rows_written = ?, rows_rejected = ?, bytes = ?, millis = ?, finished_at = clock_timestamp()"
        + " WHERE table_name = ? AND partition_no = ?")) {
      ps.setLong(1, done.rowsRead());
      ps.setLong(2, done.rowsWritten());
      ps.setLong(3, done.rowsRejected());
      ps.setLong(4, done.bytes());
      ps.setLong(5, done.millis());
      ps.setString(6, p.table());
      ps.setInt(7, p.number());
      ps.executeUpdate();
    }
  }

  /** Records rejected rows, in the caller's transaction. */
  static void reject(Connection target, ReadPartition p, List<String[]> rowsAndReasons) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "INSERT INTO " + REJECTS + " (table_name, partition_no, row_text, reason) VALUES (?, ?, ?, ?)")) {
      for (String[] r : rowsAndReasons) {
        ps.setString(1, p.table());
        ps.setInt(2, p.number());
        ps.setString(3, r[0]);
        ps.setString(4, r[1]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Totals per table, in the order of {@code tables}. */
  public static Map<String, TableTotals> totals(Connection target, List<String> tables) throws SQLException {
    Map<String, TableTotals> result = new LinkedHashMap<>();
    String sql = "SELECT table_name, coalesce(sum(rows_read), 0), coalesce(sum(rows_written), 0), coalesce(sum(rows_rejected), 0),"
        + " coalesce(sum(bytes), 0), coalesce(sum(millis), 0) FROM " + PARTITIONS + " GROUP BY table_name";
    Map<String, TableTotals> found = new LinkedHashMap<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        found.put(rs.getString(1), new TableTotals(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
            rs.getLong(5), rs.getLong(6)));
      }
    }
    tables.forEach(t -> result.put(t, found.getOrDefault(t, new TableTotals(t, 0, 0, 0, 0, 0))));
    return result;
  }

  /** The tables that have rejected rows. */
  public static List<String> tablesWithRejects(Connection target) throws SQLException {
    return strings(target, "SELECT DISTINCT table_name FROM " + REJECTS + " ORDER BY 1", new ArrayList<>());
  }

  /** The first column of every row {@code sql} returns, added to {@code into}. */
  private static <C extends Collection<String>> C strings(Connection target, String sql, C into)
      throws SQLException {
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        into.add(rs.getString(1));
      }
    }
    return into;
  }

  /** What is done with each rejected row. */
  public interface RejectSink {
    void accept(String row, String reason) throws IOException;
  }

  /**
   * Streams the rejected rows of one table to {@code sink} through a cursor, so a table with
   * millions of rejects does not fill the launcher's memory; returns how many there were.
   */
  public static long rejects(Connection target, String table, RejectSink sink) throws SQLException, IOException {
    boolean autoCommit = target.getAutoCommit();
    target.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
    long n = 0;
    try (PreparedStatement ps = target.prepareStatement("SELECT row_text, reason FROM " + REJECTS
        + " WHERE table_name = ? ORDER BY partition_no")) {
      ps.setFetchSize(1000);
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sink.accept(rs.getString(1), rs.getString(2));
          n++;
        }
      }
    } finally {
      target.commit();
      target.setAutoCommit(autoCommit);
    }
    return n;
  }
}
