package dev.pg2citus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A pg2citus session whose client vanishes mid-query (its run killed, its machine lost) ends within
 * seconds on the server instead of running on until the query has a row to send: a killed run's
 * sessions do not outlive it, on the source or the target.
 */
class SessionEndsWithItsClientTest {
  @Test
  void aQueryWhoseClientIsGoneEndsOnTheServer() throws Exception {
    String db = TestPostgres.freshDatabase("gone_client");
    Connection c = ConnectionSpec.fromUrl(TestPostgres.jdbcUrlWithUser(db)).open();
    int pid;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    ExecutorService running = Executors.newSingleThreadExecutor();
    try {
      running.submit(() -> {
        try (Statement st = c.createStatement()) {
          st.execute("SELECT pg_sleep(120)"); // a long scan that sends nothing for a while
        }
        return null;
      });
      waitFor(db, pid, "active");
      c.abort(Runnable::run); // the socket closed without a goodbye, as when the process is killed
      waitFor(db, pid, null);
      assertEquals(0, sessions(db, pid, null), "the session ended with its client, not after its 120 s query");
    } finally {
      running.shutdownNow();
    }
  }

  /** Waits up to 10 s until session {@code pid} is in {@code state}, or gone when it is null. */
  private static void waitFor(String db, int pid, String state) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while ((state == null ? sessions(db, pid, null) > 0 : sessions(db, pid, state) == 0)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }

  private static long sessions(String db, int pid, String state) throws SQLException {
    try (Connection c = TestPostgres.connect(db); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND (?::text IS NULL OR state = ?::text)")) {
      ps.setInt(1, pid);
      ps.setString(2, state);
      ps.setString(3, state);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
