package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.LocalPostgres;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.MigrationSummary.Check;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The target restarted (pg_ctl restart, fast shutdown) while the run works on it: every backend is
 * ended, the launcher's own connections included, and connections are refused until the server is up
 * again. Whether it strikes a COPY, a key or index being built, or verification, the run waits for the
 * server within {@code load.outage-wait} and ends complete, every source row once, without {@code --resume}.
 */
class TargetRestartTest {
  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
      CREATE INDEX items_payload ON items (payload);
      INSERT INTO items SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 200000) i;
      """;
  private static final String ROWS = "SELECT sum(hashtext(id || payload)) FROM items";

  @Test
  void aTargetRestartedMidLoadIsWaitedForAndTheRunEndsComplete() throws Exception {
    MigrationSummary summary = migrateRestartingWhen("restart_copy", "query LIKE 'COPY %FROM STDIN'", "");
    assertTrue(summary.phases().stream().flatMap(p -> p.notes().stream()).anyMatch(n ->
        n.matches("public\\.items partition \\d+: copied again \\d+ times? after the connection to the target"
            + " 127\\.0\\.0\\.1:\\d+/restart_copy_dst was lost \\(.+\\)")), summary::render);
  }

  @Test
  void aTargetRestartedWhileKeysAndIndexesAreBuiltIsWaitedFor() throws Exception {
    migrateRestartingWhen("restart_keys", "(query LIKE 'CREATE INDEX%' OR query LIKE 'ALTER TABLE%PRIMARY KEY%')", "");
  }

  @Test
  void aTargetRestartedDuringVerificationIsWaitedFor() throws Exception {
    MigrationSummary summary = migrateRestartingWhen("restart_verify", "query LIKE '%md5(ROW(%'",
        "  verify: checksums\n");
    assertEquals(Check.MATCH, summary.tables().get(0).checksums(), summary::render);
  }

  /**
   * Migrates {@link #ITEMS} into a target of its own that is restarted once a statement matching
   * {@code activeQuery} runs on it; asserts the run ended complete and exact, with the keys built.
   */
  private static MigrationSummary migrateRestartingWhen(String name, String activeQuery, String load)
      throws Exception {
    String src = TestPostgres.freshDatabase(name + "_src");
    TestPostgres.execute(src, ITEMS);
    String dst = name + "_dst";
    try (LocalPostgres target = LocalPostgres.start()) {
      target.createDatabase(dst);
      AtomicReference<Exception> restartFailed = new AtomicReference<>();
      Thread restarter = new Thread(() -> restartWhen(target, dst, activeQuery, restartFailed), "restarter");
      restarter.start();
      MigrationSummary summary = Migrations.run(config(src, target, dst, load));
      restarter.join();
      assertEquals(null, restartFailed.get(), "restarted when " + activeQuery + " ran");

      assertEquals(MigrationSummary.Outcome.COMPLETE, summary.outcome(), summary::render);
      try (Connection c = target.connect(dst)) {
        assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, ROWS))), TestPostgres.rows(c, ROWS),
            "the same rows, each once");
        assertEquals(List.of("200000"), TestPostgres.rows(c, "SELECT count(*) FROM items"));
        assertEquals(List.of("items_payload", "items_pkey"), TestPostgres.rows(c,
            "SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY indexname"), "the keys and indexes");
      }
      return summary;
    }
  }

  /** Restarts {@code target} once a statement matching {@code activeQuery} runs in {@code db}. */
  private static void restartWhen(LocalPostgres target, String db, String activeQuery,
      AtomicReference<Exception> failed) {
    long deadline = System.currentTimeMillis() + 120_000;
    String running = "SELECT pid FROM pg_stat_activity WHERE datname = '" + db + "' AND state = 'active'"
        + " AND pid <> pg_backend_pid() AND " + activeQuery;
    try (Connection c = target.connect(db)) {
      while (System.currentTimeMillis() < deadline) {
        if (!TestPostgres.rows(c, running).isEmpty()) {
          target.restart();
          return;
        }
        Thread.sleep(2);
      }
      failed.set(new IllegalStateException("no statement matching " + activeQuery + " ran within two minutes"));
    } catch (Exception e) {
      failed.set(e);
    }
  }

  /** Two partitions in batches of 5,000 rows; retries from 300 ms on, within the default outage wait. */
  private static MigrationConfig config(String src, LocalPostgres target, String dst, String load) {
    String yaml = "source:\n  url: '" + TestPostgres.jdbcUrl(src) + "'\n  user: " + TestPostgres.user() + "\n"
        + "target:\n  url: '" + target.jdbcUrl(dst) + "'\n  user: " + target.user()
        + "\n  plain-postgresql: true\n"
        + "load:\n  include-drop: true\n  partitions-per-table: 2\n  batch-rows: 5000\n  retry-backoff: 300ms\n"
        + load;
    return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "restart.yaml", ConfigLoader.Overrides.none());
  }
}
