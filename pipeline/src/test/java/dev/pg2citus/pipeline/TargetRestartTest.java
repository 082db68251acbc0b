package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.LocalPostgres;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The target restarted (pg_ctl restart, fast shutdown) while a partition is being copied: every
 * backend is ended and connections are refused until the server is up again. The run either retries
 * the partition and completes, or, when a connection of the launcher's own was among those ended,
 * stops saying so; either way a {@code --resume} gives every source row exactly once.
 */
class TargetRestartTest {
  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
      INSERT INTO items SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 200000) i;
      """;
  private static final String ROWS = "SELECT sum(hashtext(id || payload)) FROM items";

  @Test
  void aTargetRestartedMidLoadEndsWithEveryRowOnce() throws Exception {
    String src = TestPostgres.freshDatabase("restart_src");
    TestPostgres.execute(src, ITEMS);
    try (LocalPostgres target = LocalPostgres.start()) {
      target.createDatabase("restart_dst");
      Path rejects = Migrations.rejectsDir();
      AtomicReference<Exception> restartFailed = new AtomicReference<>();
      Thread restarter = new Thread(() -> restartDuringCopy(target, restartFailed), "restarter");
      restarter.start();
      MigrationSummary first = null;
      SQLException stopped = null;
      try {
        first = Migrations.run(config(src, target), false, rejects);
      } catch (SQLException e) {
        stopped = e; // a connection of the launcher's own was ended
      }
      restarter.join();
      assertEquals(null, restartFailed.get(), "restarted during a COPY");

      if (first != null && first.ok()) {
        assertTrue(first.phases().stream().flatMap(p -> p.notes().stream()).anyMatch(n ->
            n.matches("public\\.items partition \\d+: copied again \\d+ times? after the connection to the target"
                + " 127\\.0\\.0\\.1:" + target.port() + "/restart_dst was lost \\(.+\\)")), first::render);
      } else {
        String said = stopped != null ? stopped.getMessage() : first.render();
        assertTrue(said.contains("terminating connection due to administrator command")
            || said.contains("the database system is shutting down") || said.contains("Connection to 127.0.0.1:"
            + target.port() + " refused") || said.contains("the database system is starting up")
            || said.contains("An I/O error occurred"), said);
        MigrationSummary resumed = Migrations.run(config(src, target), true, rejects);
        assertTrue(resumed.ok(), resumed::render);
      }
      try (Connection c = target.connect("restart_dst")) {
        assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, ROWS))), TestPostgres.rows(c, ROWS),
            "the same rows, each once");
        assertEquals(List.of("200000"), TestPostgres.rows(c, "SELECT count(*) FROM items"));
      }
    }
  }

  /** Restarts {@code target} once a worker's COPY into it runs. */
  private static void restartDuringCopy(LocalPostgres target, AtomicReference<Exception> failed) {
    long deadline = System.currentTimeMillis() + 60_000;
    try {
      while (System.currentTimeMillis() < deadline) {
        try (Connection c = target.connect("restart_dst")) {
          if (!TestPostgres.rows(c, "SELECT pid FROM pg_stat_activity WHERE datname = 'restart_dst'"
              + " AND query LIKE 'COPY %FROM STDIN' AND state = 'active'").isEmpty()) {
            target.restart();
            return;
          }
        }
        Thread.sleep(5);
      }
      failed.set(new IllegalStateException("no COPY ran within a minute"));
    } catch (Exception e) {
      failed.set(e);
    }
  }

  /** Two partitions in batches of 5,000 rows, retried up to 6 times from 300 ms on (about 19 s in all). */
  private static MigrationConfig config(String src, LocalPostgres target) {
    String yaml = "source:\n  url: '" + TestPostgres.jdbcUrl(src) + "'\n  user: " + TestPostgres.user() + "\n"
        + "target:\n  url: '" + target.jdbcUrl("restart_dst") + "'\n  user: " + target.user()
        + "\n  plain-postgresql: true\n"
        + "load:\n  include-drop: true\n  partitions-per-table: 2\n  batch-rows: 5000\n  partition-retries: 6\n"
        + "  retry-backoff: 300ms\n";
    return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "restart.yaml", ConfigLoader.Overrides.none());
  }
}
