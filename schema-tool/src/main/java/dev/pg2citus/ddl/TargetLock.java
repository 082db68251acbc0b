package dev.pg2citus.ddl;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.sql.Sql;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run per target: every command that writes ({@code migrate}, {@code --resume}, {@code create},
 * {@code finalize}) holds this lock on the target database from before its first write until it
 * ends. It is a session-level advisory lock (keys {@value #KEY1}, {@value #KEY2}; advisory locks are
 * per database) held by a connection of its own, whose {@code application_name} says who holds it
 * (command, start time, process, host), so a second run refuses at once naming the first, or waits
 * for it. A run that is killed frees the lock with its session: nothing is left to clean up.
 *
 * <p>The connection is checked every {@value #CHECK_SECONDS} s; when it was lost (the coordinator
 * restarted) the lock is taken again on a new one, so a run that rides out an outage keeps it.
 */
public final class TargetLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TargetLock.class);
  /** 'pg2c' and 'itus': the two int4 keys of the lock, the same for every pg2citus. */
  static final int KEY1 = 0x70673263;
  static final int KEY2 = 0x69747573;
  private static final int CHECK_SECONDS = 5;
  private static final Duration WAIT_POLL = Duration.ofSeconds(1);
  /** How long a refusal waits first: the server process of a run killed a moment ago may still be ending. */
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final Duration GRACE_POLL = Duration.ofMillis(100);
  private static final String HOLDER = "SELECT a.application_name, a.pid, a.backend_start::text,"
      + " a.client_addr::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
      + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " + Integer.toUnsignedLong(KEY1)
      + " AND l.objid = " + Integer.toUnsignedLong(KEY2) + " AND l.objsubid = 2"
      + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  private final ConnectionSpec target;
  private final String holder;
  private final ScheduledExecutorService checker;
  private volatile Connection connection;
  private volatile boolean held = true;

  private TargetLock(ConnectionSpec target, String holder, Connection connection) {
    this.target = target;
    this.holder = holder;
    this.connection = connection;
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pg2citus-target-lock");
      t.setDaemon(true);
      return t;
    });
    checker.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Takes the lock on {@code target} for {@code command}. When another run holds it: refuses (exit 2)
   * naming that run, or with {@code wait} waits until it ends, saying so.
   */
  public static TargetLock take(ConnectionSpec target, String command, boolean wait) throws SQLException {
    String holder = holderName(command);
    Connection c = target.open();
    try {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        // Who holds the lock, for a second run's message: application_name is shown to every user.
        st.execute("SET application_name = " + Sql.literal(holder));
      }
      boolean announced = false;
      long graceEnd = System.nanoTime() + GRACE.toNanos();
      while (!tryLock(c)) {
        if (!wait && System.nanoTime() < graceEnd) {
          Thread.sleep(GRACE_POLL.toMillis()); // a run killed a moment ago: its server process is still ending
          continue;
        }
        String other = describeHolder(c);
        if (!wait) {
          throw new ConfigException(ConfigLocation.commandLine(command), "another pg2citus run is writing to "
              + target + ": " + other + "; one run at a time per target: wait until it ends (or run with --wait"
              + " to wait for it), or stop it; a killed run frees the target at once");
        }
        if (!announced) {
          LOG.info("waiting for the other pg2citus run on {} to end (--wait): {}", target, other);
          announced = true;
        }
        Thread.sleep(WAIT_POLL.toMillis());
      }
      LOG.debug("holding the target lock on {} as {}", target, holder);
      return new TargetLock(target, holder, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.close();
      throw new SQLException("interrupted while waiting for the other pg2citus run on " + target, "57014", e);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + KEY1 + ", " + KEY2 + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** The run that holds the lock, as it named itself, with its session's start and address where shown. */
  static String describeHolder(Connection c) throws SQLException {
    return runningOn(c).orElse("a run that has just ended");
  }

  /** The run writing the target {@code c} is connected to, described as in a refusal; empty when none is. */
  public static Optional<String> runningOn(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(HOLDER); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      String name = rs.getString(1);
      StringBuilder out = new StringBuilder(name == null || name.isBlank() ? "a session" : name);
      out.append(" (server process ").append(rs.getInt(2));
      if (rs.getString(3) != null) {
        out.append(", connected at ").append(rs.getString(3));
      }
      if (rs.getString(4) != null) {
        out.append(", from ").append(rs.getString(4));
      }
      return Optional.of(out.append(')').toString());
    }
  }

  /**
   * How this run names itself in {@code application_name} (at most 63 bytes are kept, so the host,
   * the longest part, comes last): {@code pg2citus migrate since 2025-01-02T10:11:12Z pid 4242 on host}.
   */
  static String holderName(String command) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown host";
    }
    return "pg2citus " + command + " since " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " pid "
        + ManagementFactory.getRuntimeMXBean().getPid() + " on " + host;
  }

  /** Who holds the lock: this run, as another one sees it. */
  public String holder() {
    return holder;
  }

  /** Takes the lock again on a new connection when its connection was lost (the server restarted). */
  private synchronized void check() {
    if (checker.isShutdown()) {
      return;
    }
    try {
      if (!connection.isValid(CHECK_SECONDS)) {
        held = false;
        connection.close();
        Connection c = target.open();
        try (Statement st = c.createStatement()) {
          st.execute("SET application_name = " + Sql.literal(holder));
        }
        connection = c;
      }
      if (!held) {
        held = tryLock(connection);
        if (held) {
          LOG.info("took the target lock on {} again: its connection had been lost", target);
        } else {
          LOG.error("the target lock on {} was lost with its connection and is held by {}: another run may be"
              + " writing the target", target, describeHolder(connection));
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("the target lock's connection is lost and cannot be opened yet: {}",
          ConnectionSpec.redact(e.getMessage()));
    }
  }

  /** Frees the lock: its session ends. */
  @Override
  public synchronized void close() throws SQLException {
    checker.shutdownNow();
    connection.close();
  }
}
