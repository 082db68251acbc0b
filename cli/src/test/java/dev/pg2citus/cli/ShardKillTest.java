package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.pipeline.Migrations;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.runrecord.ShardLedger;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load.write-path: shards} killed (SIGKILL) between two workers' commits of the same
 * partitions, then resumed: the worker that committed keeps its part, recorded in its ledger, the
 * other's is written on resume, and the target ends with every source row exactly once, checksums
 * verified, nothing left prepared on any node.
 *
 * <p>The moment is made, not waited for by luck: the test holds a lock on the ledger of the worker
 * that commits last, so every partition's transaction there waits at its ledger row while the first
 * worker's have committed; the child is killed then.
 */
class ShardKillTest {
  private static final String YAML = """
      distribute:
        - companies using id
      load:
        partitions-per-table: 4
        verify: checksums
        write-path: shards
      """;
  private static final List<String> TABLES = List.of("companies", "campaigns", "ads", "clicks", "impressions");

  @Test
  void killedBetweenTwoWorkersCommitsResumesExactly(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("shardkill_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    String dst = TestCitus.freshDatabase("shardkill_dst");
    List<ConnectionSpec> nodes = nodes(dst);
    assertEquals(2, nodes.size(), "two workers");
    for (ConnectionSpec node : nodes) {
      try (Connection c = node.open()) {
        ShardLedger.create(c);
      }
    }
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + TestCitus.jdbcUrl(dst) + "'\n  user: " + TestCitus.user() + "\n" + YAML);
    try (Connection first = nodes.get(0).open(); Connection last = nodes.get(1).open()) {
      last.setAutoCommit(false);
      try (Statement st = last.createStatement()) {
        st.execute("LOCK TABLE pg2citus_shards.ledger IN SHARE MODE");
      }
      ChildMigration.killWhen(config, dir, () -> ledgerRows(first) > 0);
      last.rollback(); // the killed run's waiting transactions there roll back, never committed
    }
    try (Connection c = TestCitus.connect(dst)) {
      // Partitions whose rows all hash to the first worker may be done; those on both wait at the second.
      assertEquals(List.of("t"), TestPostgres.rows(c, "SELECT count(*) FILTER (WHERE NOT done) > 0"
          + " FROM pg2citus.partitions"), "killed with partitions not marked done");
    }

    MigrationConfig parsed = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(),
        YAML);
    MigrationSummary summary = Migrations.run(parsed, true, dir.resolve("rejects"));
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      for (String table : TABLES) {
        String sourceCount = String.valueOf(TestPostgres.scalar(src, "SELECT count(*) FROM " + table));
        assertEquals(List.of(sourceCount), TestPostgres.rows(c, "SELECT count(DISTINCT id) FROM " + table),
            table + ": every source row");
        assertEquals(List.of(sourceCount), TestPostgres.rows(c, "SELECT count(*) FROM " + table),
            table + ": no row twice");
      }
    }
    for (ConnectionSpec node : nodes) {
      try (Connection c = node.open()) {
        assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_prepared_xacts"), "nothing prepared");
        assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM (SELECT 1 FROM pg2citus_shards.ledger"
            + " GROUP BY run_id, table_name, partition_no, node HAVING count(*) > 1) twice"), "one ledger row each");
      }
    }
  }

  private static long ledgerRows(Connection node) throws SQLException {
    return Long.parseLong(TestPostgres.rows(node, "SELECT count(*) FROM pg2citus_shards.ledger").get(0));
  }

  /** The workers, in the order the shard sink commits them (by {@code host:port}). */
  private static List<ConnectionSpec> nodes(String dst) throws SQLException {
    ConnectionSpec coordinator = new ConnectionSpec(TestCitus.jdbcUrl(dst), TestCitus.user(), null, Map.of());
    List<ConnectionSpec> nodes = new ArrayList<>();
    try (Connection c = TestCitus.connect(dst)) {
      for (String node : TestPostgres.rows(c, "SELECT nodename || ':' || nodeport FROM pg_dist_node"
          + " WHERE shouldhaveshards AND noderole = 'primary' ORDER BY nodename, nodeport")) {
        int colon = node.lastIndexOf(':');
        nodes.add(coordinator.atNode(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
      }
    }
    return nodes;
  }
}
