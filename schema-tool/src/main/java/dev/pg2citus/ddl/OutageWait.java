package dev.pg2citus.ddl;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.sql.ServerErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How work whose target connection is lost (a node restarting or failing over) is done again, as a
 * partition is copied again ({@code load.retry-backoff}, {@code load.outage-wait}): after {@code
 * backoff}, doubled each time (at most a minute), until {@code limit} has passed since the connection
 * was first lost, saying what it waits for. For the launcher's own work on the target (the run record,
 * finalize statements, verification); the copy workers have their retry policy.
 */
public record OutageWait(Duration backoff, Duration limit) {
  private static final Logger LOG = LoggerFactory.getLogger(OutageWait.class);
  private static final Duration LONGEST = Duration.ofMinutes(1);

  /** Work done on connections of its own, opened anew by each call. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface OnConnection<T> {
    T run(Connection connection) throws SQLException;
  }

  /** As the configuration says: {@code load.retry-backoff}, {@code load.outage-wait}. */
  public static OutageWait of(MigrationConfig config) {
    return new OutageWait(config.load().retryBackoff(), config.load().outageWait());
  }

  /** {@link #ride} on a new connection to {@code database} each time. */
  public <T> T onConnection(ConnectionSpec database, String what, String then, OnConnection<T> work)
      throws SQLException {
    return ride(what, then, () -> {
      try (Connection c = database.open()) {
        return work.run(c);
      }
    });
  }

  /** The wait before attempt {@code again} (1 for the first), never past {@code left}. */
  public Duration delay(int again, Duration left) {
    Duration d = backoff;
    for (int i = 1; i < again && d.compareTo(LONGEST) < 0; i++) {
      d = d.multipliedBy(2);
    }
    d = d.compareTo(LONGEST) > 0 ? LONGEST : d;
    return d.compareTo(left) > 0 ? left : d;
  }

  /**
   * Runs {@code work} until it returns; when it fails because a connection was lost ({@link
   * ServerErrors#isConnectionLoss}) it is run again after the backoff, until the wait is over; the last
   * lost connection is then thrown naming {@code what} and ending with {@code then}. Any other error is
   * thrown as it is.
   *
   * @param what what the work is, for the log and the error ({@code verification of public.items})
   * @param then what the user does when the wait is over ({@code run migrate --resume to continue})
   */
  public <T> T ride(String what, String then, Work<T> work) throws SQLException {
    long lostSince = 0;
    for (int again = 1; ; again++) {
      try {
        return work.run();
      } catch (SQLException e) {
        if (!ServerErrors.isConnectionLoss(e)) {
          throw e;
        }
        lostSince = again == 1 ? System.nanoTime() : lostSince;
        Duration waited = Duration.ofNanos(System.nanoTime() - lostSince);
        Duration left = limit.minus(waited);
        String reason = ConnectionSpec.redact(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        if (left.isNegative() || left.isZero()) {
          throw new SQLException(what + ": lost the connection to the target, not back within load.outage-wait ("
              + limit.toSeconds() + " s; tried again " + (again - 1) + " times): " + reason + "; " + then, "08006", e);
        }
        Duration wait = delay(again, left);
        LOG.warn("{}: lost the connection to the target ({}); waiting for it to come back: again in {} ms"
            + " (load.outage-wait {} s, {} s left)", what, reason, wait.toMillis(), limit.toSeconds(),
            left.toSeconds());
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for the target to come back: " + what, "57014", e);
        }
      }
    }
  }
}
