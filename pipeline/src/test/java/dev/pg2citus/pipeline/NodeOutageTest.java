package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.LocalCitusCluster;
import dev.pg2citus.embedded.LocalPostgres;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A Citus worker stopped for 20 s, or the coordinator restarted, in the middle of the data phase, as a
 * node restarting or failing over on a managed cluster: the copy workers and the launcher wait for it
 * ({@code load.outage-wait}, at its default), and the run ends complete and exact without {@code --resume}. The cluster is this test's own, so
 * stopping a node disturbs no other test.
 */
class NodeOutageTest {
  private static final String ITEMS = """
      CREATE TABLE items (id bigint PRIMARY KEY, payload text NOT NULL);
      INSERT INTO items SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 300000) i;
      """;
  private static final String ROWS = "SELECT sum(hashtext(id || payload)) FROM items";
  private static final Duration DOWN = Duration.ofSeconds(20);

  @Test
  void aWorkerDownForTwentySecondsMidLoadIsWaitedForAndTheRunEndsExact() throws Exception {
    TestCitus.assumeAvailable();
    try (LocalCitusCluster cluster = LocalCitusCluster.start()) {
      migrateStopping(cluster, cluster.workers().get(0), DOWN);
    }
  }

  /** The coordinator, the target pg2citus connects to, restarted mid-load: its own sessions end too. */
  @Test
  void theCoordinatorRestartedMidLoadIsWaitedForAndTheRunEndsExact() throws Exception {
    TestCitus.assumeAvailable();
    try (LocalCitusCluster cluster = LocalCitusCluster.start()) {
      migrateStopping(cluster, cluster.coordinator(), Duration.ZERO);
    }
  }

  /** Migrates {@link #ITEMS} while {@code node} is stopped for {@code down} (0: restarted), and checks the run. */
  private static void migrateStopping(LocalCitusCluster cluster, LocalPostgres node, Duration down) throws Exception {
    String src = TestPostgres.freshDatabase("outage_src");
    TestPostgres.execute(src, ITEMS);
    cluster.createDatabase("outage_dst");
    AtomicReference<Exception> stopFailed = new AtomicReference<>();
    Thread stopper = new Thread(() -> stopDuringCopy(cluster, node, down, stopFailed), "node-stopper");
    stopper.start();
    long start = System.nanoTime();
    MigrationSummary summary = Migrations.run(config(src, cluster));
    stopper.join();
    assertEquals(null, stopFailed.get(), "the node was stopped during a COPY");

    assertEquals(MigrationSummary.Outcome.COMPLETE, summary.outcome(), summary::render);
    assertTrue(System.nanoTime() - start > down.toNanos(), "the run outlasted the outage");
    assertTrue(summary.phases().stream().flatMap(p -> p.notes().stream()).anyMatch(n ->
        n.matches("(?s)public\\.items partition \\d+: copied again \\d+ times? after the connection to the"
            + " target .+")),
        summary::render);
    try (Connection c = cluster.connect("outage_dst")) {
      assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, ROWS))), TestPostgres.rows(c, ROWS),
          "the same rows, each once");
      assertEquals(List.of("300000"), TestPostgres.rows(c, "SELECT count(*) FROM items"));
      assertEquals(List.of("1"), TestPostgres.rows(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
          + " AND conrelid = 'items'::regclass"), "the primary key");
    }
  }

  /** Stops {@code node} for {@code down} (0: restarts it) once a copy worker's COPY runs on the coordinator. */
  private static void stopDuringCopy(LocalCitusCluster cluster, LocalPostgres node, Duration down,
      AtomicReference<Exception> failed) {
    long deadline = System.currentTimeMillis() + 120_000;
    try {
      while (System.currentTimeMillis() < deadline) {
        try (Connection c = cluster.connect("outage_dst")) {
          if (!TestPostgres.rows(c, "SELECT pid FROM pg_stat_activity WHERE datname = 'outage_dst'"
              + " AND query LIKE 'COPY %FROM STDIN' AND state = 'active'").isEmpty()) {
            if (down.isZero()) {
              node.restart();
            } else {
              node.stopFor(down);
            }
            return;
          }
        }
        Thread.sleep(5);
      }
      failed.set(new IllegalStateException("no COPY ran within two minutes"));
    } catch (Exception e) {
      failed.set(e);
    }
  }

  /** Four partitions in batches of 5,000 rows; the retries and the outage wait at their defaults. */
  private static MigrationConfig config(String src, LocalCitusCluster cluster) {
    String yaml = "source:\n  url: '" + TestPostgres.jdbcUrl(src) + "'\n  user: " + TestPostgres.user() + "\n"
        + "target:\n  url: '" + cluster.jdbcUrl("outage_dst") + "'\n  user: " + cluster.coordinator().user() + "\n"
        + "distribute:\n  - items using id\n"
        + "load:\n  include-drop: true\n  partitions-per-table: 4\n  batch-rows: 5000\n";
    return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "outage.yaml", ConfigLoader.Overrides.none());
  }
}
