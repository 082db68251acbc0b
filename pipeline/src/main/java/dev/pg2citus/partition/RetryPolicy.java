package dev.pg2citus.partition;

import dev.pg2citus.partition.PartitionFailure.Side;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.sql.FailedStatement;
import dev.pg2citus.sql.ServerErrors;
import dev.pg2citus.write.PlacementsChanged;
import java.io.IOException;
import java.io.Serializable;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry policy of the data phase, for both copy workers ({@link PartitionCopyFn}, {@link
 * WriteGroupedFn}): it classifies a failure, backs off, logs, records the retry in the run record,
 * and tries again. Only a lost connection is retried ({@link #isConnectionLoss}); a row or
 * statement error would fail again, and stops the run with what to do ({@link #stopped}), naming the
 * statement ({@link FailedStatement}). A worker the runner stopped ({@link WorkerConnections#stop})
 * lost no connection: its connections were closed because the data phase is ending.
 *
 * <p>The partition's transaction is rolled back (the server does it when the connection dies, the
 * worker when the other side's did), the worker waits {@code backoff}, twice that at the next
 * retry and so on (at most a minute), reconnects and copies the partition again from its start,
 * at least {@code retries} times in a row, and beyond them for as long as {@code outageWait} since its
 * connection was first lost (a node restarting or failing over), saying what it waits for. Its rows,
 * rejects and "done" mark still commit together, so a retried partition is written exactly once.
 *
 * @param retries copies of a partition after the first, at least ({@code load.partition-retries})
 * @param backoff the wait before the first retry ({@code load.retry-backoff})
 * @param outageWait how long a lost connection is retried, counted from its first loss ({@code load.outage-wait})
 */
public record RetryPolicy(int retries, Duration backoff, Duration outageWait) implements Serializable {
  /** Only the retries: no outage is waited out. */
  public RetryPolicy(int retries, Duration backoff) {
    this(retries, backoff, Duration.ZERO);
  }

  private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);
  private static final Duration LONGEST_WAIT = Duration.ofMinutes(1);

  /** A worker's work, tried again after a lost connection. */
  @FunctionalInterface
  interface Attempt<T> {
    /** @param again the partition whose connection was lost, to copy again first; null on a first try */
    T run(ReadPartition again) throws SQLException;
  }

  /**
   * Runs {@code attempt} on {@code connections}, opened first, until it returns: after a lost
   * connection it closes them, waits, opens them again, records the retry and tries again with the
   * partition that was rolled back. The count starts again for another partition, and with each
   * call: a worker calls once per partition it commits.
   *
   * @param known the partition the work is about when it is known beforehand, else null (a
   *     partition taken from the queue is known from its failure)
   */
  <T> T run(WorkerConnections connections, ReadPartition known, Attempt<T> attempt) throws SQLException {
    ReadPartition again = known;
    int retry = 0;
    long lostSince = 0; // System.nanoTime() of the first loss in a row, for the outage wait
    String lost = null; // the last lost connection's, and why
    String reason = null;
    while (true) {
      try {
        connections.open();
        if (retry > 0 && again != null) {
          RunRecord.on(connections.progress()).retries().add(again, retry, lost, reason);
        }
        return attempt.run(retry > 0 ? again : null);
      } catch (SQLException | RuntimeException e) {
        connections.close(); // the partition's transaction is rolled back with its connection
        PartitionFailure failure = e instanceof PartitionFailure f ? f : null;
        String database = connections.describe(failure == null ? Side.TARGET : failure.side());
        ReadPartition failed = failure != null && failure.partition() != null ? failure.partition() : again;
        String why = connections.withoutSecrets(reason(e));
        if (connections.stopped()) {
          // The runner closed the connections under this attempt: the data phase is ending (another
          // worker's error failed it), so this is neither a lost connection nor an error of its own.
          throw new SQLException("copy worker stopped " + (failed == null ? "between partitions" : "during " + failed)
              + ": the data phase is ending", "57014", e);
        }
        if (!isConnectionLoss(e) && !placementsChanged(e)) {
          if (e instanceof SQLException sql) {
            throw stopped(database, failed, why, sql);
          }
          throw (RuntimeException) e;
        }
        if (!Objects.equals(failed, again)) {
          again = failed;
          retry = 0;
        }
        if (retry == 0) {
          lostSince = System.nanoTime();
        }
        lost = database;
        reason = why;
        Duration waited = Duration.ofNanos(System.nanoTime() - lostSince);
        if (retry >= retries && waited.compareTo(outageWait) >= 0) {
          throw exhausted(database, failed, reason, retry, waited, e);
        }
        pause(++retry, failed, database, reason, waited);
      }
    }
  }

  /** The wait before retry {@code retry} (1 for the first). */
  Duration delay(int retry) {
    Duration wait = backoff;
    for (int i = 1; i < retry && wait.compareTo(LONGEST_WAIT) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
  }

  /** Whether {@code e} says a connection was lost ({@link ServerErrors#isConnectionLoss}). */
  public static boolean isConnectionLoss(Throwable e) {
    return ServerErrors.isConnectionLoss(e);
  }

  /** Whether {@code e} says a shard moved under the partition: copied again with the placements read again. */
  static boolean placementsChanged(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PlacementsChanged) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the server or driver said, without the partition prefixes added on the way up: the
   * innermost SQLException's message, and the I/O error under it, if any.
   */
  public static String reason(Throwable e) {
    String reason = String.valueOf(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException && t.getMessage() != null) {
        reason = t.getMessage();
      } else if (t instanceof IOException && t.getMessage() != null && !reason.contains(t.getMessage())) {
        return reason + ": " + t.getMessage();
      }
    }
    return reason;
  }

  /**
   * Logs the lost connection and waits before retry {@code retry}: once the retries are used up,
   * saying that it waits for the database to come back, and how long it still will.
   *
   * @param partition the partition to copy again, or null when none was claimed yet
   * @param waited the time since the connection was first lost
   */
  void pause(int retry, ReadPartition partition, String database, String reason, Duration waited)
      throws SQLException {
    Duration wait = delay(retry);
    String who = partition == null ? "copy worker" : partition.toString();
    if (retry <= retries) {
      LOG.warn("{}: lost the connection to the {} ({}); retry {} of {} in {} ms", who, database, reason, retry,
          retries, wait.toMillis());
    } else {
      Duration left = outageWait.minus(waited);
      wait = wait.compareTo(left) > 0 ? left : wait; // the last try comes when the wait is over
      LOG.warn("{}: waiting for the {} to come back ({}); retry {} in {} ms, load.outage-wait {} s, {} s left", who,
          database, reason, retry, wait.toMillis(), outageWait.toSeconds(), Math.max(0, left.toSeconds()));
    }
    try {
      Thread.sleep(Math.max(0, wait.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting to retry " + partition, "57014", e);
    }
  }

  /** The error that ends the run once the retries and the outage wait are used up: where, what, why, what to do. */
  SQLException exhausted(String database, ReadPartition partition, String reason, int tried, Duration waited,
      Throwable cause) {
    String what = partition == null ? "before a partition was claimed" : "during " + partition;
    String after = tried == 0 ? "load.partition-retries is 0"
        : "after " + tried + (tried == 1 ? " retry" : " retries");
    if (!outageWait.isZero()) {
      after += " over " + waited.toSeconds() + " s, load.outage-wait " + outageWait.toSeconds() + " s";
    }
    return new SQLException("lost the connection to the " + database + " " + what + " (" + after + "): " + reason
        + "; run migrate --resume to continue", "08006", cause);
  }

  /**
   * The error that ends the run when a partition fails for a reason that is not a lost connection:
   * where, the server's reason, what to do about it ({@link ServerErrors#remedy}), and {@code --resume}. Such
   * errors are not retried: a statement timeout or a lock timeout would most likely strike again
   * within the same limits (the partition is as large, the other session still holds its lock), and
   * retrying would only hide the limit; a missing privilege, a full disk or a refused row needs
   * someone to act. The committed partitions are kept, so {@code --resume} after the fix copies only
   * the rest.
   *
   * @param database {@link WorkerConnections#describe}, the side whose statement failed
   * @param partition the partition rolled back, or null when none was claimed yet
   */
  static SQLException stopped(String database, ReadPartition partition, String reason, SQLException cause) {
    String what = partition == null ? "while claiming a partition" : "during " + partition;
    String remedy = ServerErrors.remedy(cause.getSQLState(), database);
    String statement = FailedStatement.in(cause);
    return new SQLException("the " + database + " refused a statement " + what + ": " + reason
        + (statement == null ? "" : "\n  the statement: " + statement)
        + (remedy == null ? "" : "; " + remedy) + "; then run migrate --resume to continue", cause.getSQLState(),
        cause);
  }
}
