package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.ddl.DdlExecutor.Outcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs post-data tasks on up to {@code load.index-workers} target connections, each statement in
 * its own transaction together with its entry in the {@link PostDataRecord}, so the record holds
 * exactly what took effect. Beside a load it asks every {@value #POLL_MILLIS} ms which tables
 * still wait for rows, and starts a table's work as soon as they are in; {@link #loadEnded()}
 * makes every table ready, {@link #abandon()} (the load failed) lets the statements already
 * running finish and starts no more.
 */
public final class PostDataRun implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostDataRun.class);
  static final long POLL_MILLIS = 300;
  private static final String PHASE = "finalize";
  private static final Object WAKE = new Object();

  /** Which tables still wait for rows. */
  public interface Loading {
    Set<TableName> stillLoading() throws SQLException;
  }

  /**
   * What the run did.
   *
   * @param outcomes every statement issued, in plan order, with how it went
   * @param besideLoad whether it ran beside a load
   * @param duringLoad how many statements finished before the load ended
   * @param skipped statements the record held as done already, not issued again
   * @param notStarted statements left because the load failed
   * @param complete false when the load failed
   */
  public record Result(Map<DdlStatement, Outcome> outcomes, boolean besideLoad, int duringLoad, int skipped,
      int notStarted, boolean complete) {}

  private record Finished(PostDataTask task, Outcome outcome, boolean duringLoad) {}

  private final ConnectionSpec target;
  private final OutageWait outage;
  private final int workers;
  private final List<PostDataTask> tasks;
  private final Loading loading;
  private final PostDataRecord record;
  private final boolean besideLoad;
  private final PostDataScheduler scheduler;
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Connection> idle = new LinkedBlockingQueue<>();
  private final ExecutorService pool;
  private final ExecutorService driver;
  private final Future<Result> result;
  private volatile boolean loadRunning;
  private volatile boolean abandoned;

  private PostDataRun(ConnectionSpec target, OutageWait outage, int workers, List<PostDataTask> tasks,
      Loading loading, PostDataRecord record) throws SQLException {
    this.target = target;
    this.outage = outage;
    this.workers = workers;
    this.tasks = List.copyOf(tasks);
    this.loading = loading;
    this.record = record;
    this.besideLoad = loading != null;
    this.loadRunning = besideLoad;
    Connection first = open();
    Set<String> done;
    try {
      done = new HashSet<>(record.done(first));
      done.removeAll(missing(first, this.tasks, done));
      first.commit();
    } catch (SQLException e) {
      first.close();
      throw e;
    }
    idle.add(first);
    scheduler = new PostDataScheduler(this.tasks, done);
    pool = Executors.newFixedThreadPool(workers, daemon("pg2citus-post-data-"));
    driver = Executors.newSingleThreadExecutor(daemon("pg2citus-post-data-scheduler-"));
    result = driver.submit(this::drive);
  }

  /**
   * The statements of {@code tasks} that {@code done} (the record) holds as done whose object the
   * target lacks (dropped since, by someone else or a run that overlapped): the record does not get
   * the last word, the catalog does (each statement's probe). They are issued again.
   */
  static Set<String> missing(Connection target, List<PostDataTask> tasks, Set<String> done) throws SQLException {
    Set<String> missing = new HashSet<>();
    try (Statement st = target.createStatement()) {
      for (PostDataTask t : tasks) {
        DdlStatement s = t.statement();
        if (s.probe() != null && done.contains(s.sql()) && !DdlExecutor.inEffect(st, s.probe())) {
          LOG.warn("[{}] {} {} is recorded as done but is not on the target: issued again", PHASE, s.step().label(),
              s.subject());
          missing.add(s.sql());
        }
      }
    }
    return missing;
  }

  /** Starts the tasks beside a load: a table's work waits until {@code loading} no longer lists it. */
  public static PostDataRun besideLoad(ConnectionSpec target, OutageWait outage, int workers,
      List<PostDataTask> tasks, Loading loading, PostDataRecord record) throws SQLException {
    return new PostDataRun(target, outage, workers, tasks, loading, record);
  }

  /** Starts the tasks on tables loaded already, keeping no record. */
  public static PostDataRun afterLoad(ConnectionSpec target, OutageWait outage, int workers, List<PostDataTask> tasks)
      throws SQLException {
    return new PostDataRun(target, outage, workers, tasks, null, PostDataRecord.NONE);
  }

  /** The load is over and every row is in: every task may start once its prerequisites have finished. */
  public void loadEnded() {
    loadRunning = false;
    events.add(WAKE);
  }

  /** The load failed: the statements running finish, nothing else starts. */
  public void abandon() {
    abandoned = true;
    events.add(WAKE);
  }

  /** Waits until every task has finished, or, after {@link #abandon()}, the running ones. */
  public Result await() throws SQLException {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the post-data statements", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("post-data scheduling failed", e.getCause());
    }
  }

  /** Abandons what has not started, waits for what runs, and closes the connections. */
  @Override
  public void close() throws SQLException {
    abandon();
    try {
      await();
    } finally {
      driver.shutdownNow();
      pool.shutdownNow();
      for (Connection c : idle) {
        c.close();
      }
    }
  }

  /** The scheduling loop, on its own thread: start what may start, wait for a task to end or the next poll. */
  private Result drive() throws InterruptedException {
    Map<DdlStatement, Outcome> outcomes = new HashMap<>();
    int duringLoad = 0;
    Set<TableName> stillLoading = everyTable(); // until the first answer
    long nextPoll = System.nanoTime();
    while (!scheduler.allFinished() && !(abandoned && scheduler.running() == 0)) {
      boolean loadGoesOn = loadRunning;
      if (loadGoesOn && System.nanoTime() - nextPoll >= 0) {
        stillLoading = poll(stillLoading);
        nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
      }
      if (!abandoned) {
        for (PostDataTask t : scheduler.start(workers - scheduler.running(), loadGoesOn ? stillLoading : Set.of())) {
          pool.execute(() -> events.add(new Finished(t, execute(t), loadRunning)));
        }
      }
      Object event = loadGoesOn
          ? events.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextPoll - System.nanoTime())), TimeUnit.MILLISECONDS)
          : events.take();
      if (event instanceof Finished f) {
        scheduler.finished(f.task());
        Outcome outcome = putDown(f.task(), f.outcome(), outcomes);
        outcomes.put(f.task().statement(), outcome);
        duringLoad += f.duringLoad() && outcome.causedBy() == null ? 1 : 0; // as the report counts statements
      }
    }
    Map<DdlStatement, Outcome> inPlanOrder = new LinkedHashMap<>();
    tasks.stream().map(PostDataTask::statement).filter(outcomes::containsKey)
        .forEach(s -> inPlanOrder.put(s, outcomes.get(s)));
    return new Result(inPlanOrder, besideLoad, duringLoad, scheduler.skipped(), scheduler.waiting().size(),
        !abandoned);
  }

  /**
   * A foreign key that failed after a key of its referenced table failed is put down to that key:
   * its error most likely repeats the first (there is no unique constraint to reference), and the
   * report gives it as a note, with its own error, not as a second one. It is issued all the same,
   * since the key it needs may be another, built.
   */
  private static Outcome putDown(PostDataTask task, Outcome outcome, Map<DdlStatement, Outcome> outcomes) {
    if (outcome.error() == null || task.statement().step() != Step.FOREIGN_KEY) {
      return outcome;
    }
    return task.after().stream().filter(a -> outcomes.containsKey(a) && outcomes.get(a).error() != null)
        .findFirst().map(a -> outcome.causedBy(a.subject())).orElse(outcome);
  }

  private Set<TableName> everyTable() {
    Set<TableName> all = new HashSet<>();
    tasks.forEach(t -> all.addAll(t.tables()));
    return all;
  }

  /** The tables still loading; when the record cannot be read, the last answer stands until the next poll. */
  private Set<TableName> poll(Set<TableName> previous) {
    try {
      return loading.stillLoading();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("post-data: cannot read which tables are loaded: {}", ConnectionSpec.redact(e.getMessage()));
      return previous;
    }
  }

  /**
   * Runs one task ({@link #executeOnce}); when its connection was lost (a node restarting), issues it
   * again on a new one after a backoff, saying what it waits for, until {@code load.outage-wait} has
   * passed since the first loss. It always returns.
   */
  private Outcome execute(PostDataTask task) {
    long lostSince = 0;
    for (int again = 1; ; again++) {
      Outcome outcome = executeOnce(task);
      if (!outcome.connectionLost() || abandoned) {
        return outcome;
      }
      lostSince = again == 1 ? System.nanoTime() : lostSince;
      Duration left = outage.limit().minus(Duration.ofNanos(System.nanoTime() - lostSince));
      if (left.isNegative() || left.isZero()) {
        return outcome;
      }
      Duration wait = outage.delay(again, left);
      DdlStatement s = task.statement();
      LOG.warn("[{}] {} {}: lost the connection to the target; waiting for it to come back: issued again in {} ms"
          + " (load.outage-wait {} s, {} s left)", PHASE, s.step().label(), s.subject(), wait.toMillis(),
          outage.limit().toSeconds(), left.toSeconds());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return outcome;
      }
    }
  }

  /**
   * Runs one task on an idle connection (or a new one) and commits it with its record entry. It
   * always returns, so the scheduler always learns that the task has ended.
   */
  private Outcome executeOnce(PostDataTask task) {
    DdlStatement s = task.statement();
    Connection c = idle.poll();
    try {
      if (c == null) {
        c = open();
      }
    } catch (SQLException | RuntimeException e) {
      String error = DdlExecutor.failure(s, e); // names the target, redacted
      LOG.error("[{}] {} not run: {}", PHASE, s.step().label(), error);
      return Outcome.failed(0, error, List.of(), e);
    }
    Connection connection = c;
    Outcome outcome = DdlExecutor.execute(connection, s, PHASE, () -> {
      record.add(connection, s);
      connection.commit();
    });
    if (outcome.error() == null || usable(connection)) {
      idle.add(connection);
    }
    return outcome;
  }

  private Connection open() throws SQLException {
    Connection c = target.open();
    DdlExecutor.prepare(c);
    c.setAutoCommit(false);
    return c;
  }

  /** Whether a connection that saw an error can take the next statement; if not, it is closed. */
  private static boolean usable(Connection c) {
    try {
      if (c.isValid(5)) {
        return true;
      }
      c.close();
    } catch (SQLException e) {
      LOG.debug("post-data: closing a broken connection: {}", e.getMessage());
    }
    return false;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
