package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shard write path's checks and connections on a real Citus: verification runs the placement
 * check of every table written into its shards (names that need quoting included) and reports a row
 * moved into the wrong shard, naming table, shard and count; {@code target.node-addresses} reaches a
 * worker by another name than {@code pg_dist_node} holds (under {@code write-path: auto}), and a wrong
 * one fails naming the node.
 */
class ShardPathChecksTest {
  private static final String SOURCE = """
      CREATE SCHEMA "Sales Dept";
      CREATE TABLE "Sales Dept"."Order Items" ("Tenant Id" bigint, n int, note text, PRIMARY KEY ("Tenant Id", n));
      INSERT INTO "Sales Dept"."Order Items" SELECT g % 97, g, 'item ' || g FROM generate_series(1, 3000) g;
      """;
  private static final String RULES = """
      distribute:
        - '"Sales Dept"."Order Items" using "Tenant Id"'
      load:
        partitions-per-table: 2
        write-path: shards
        outage-wait: 0s
        partition-retries: 0
      """;
  private static final String TABLE = "\"Sales Dept\".\"Order Items\"";

  @Test
  void verificationChecksPlacementsAndReportsARowInTheWrongShard() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = source("placed_src");
    String dst = TestCitus.freshDatabase("placed_dst");
    MigrationConfig config = config(src, dst, "", RULES);
    MigrationSummary clean = Migrations.run(config);
    assertTrue(clean.ok(), clean::render);
    assertTrue(clean.render().contains("placement checked: 1 tables written straight into their shards, 32 shards"
        + " on their workers: every row lies in its shard's hash range"), clean::render);

    // One row moved, on its worker, into another shard of the same worker: the counts stay right.
    String shard;
    String shardId;
    String node;
    try (Connection c = TestCitus.connect(dst)) {
      List<String> shards = TestPostgres.rows(c, "SELECT shard_name(s.logicalrelid, s.shardid, false) || '|'"
          + " || s.shardid || '|' || n.nodename || '|' || n.nodeport FROM pg_dist_shard s"
          + " JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)"
          + " WHERE s.logicalrelid = '" + TABLE.replace("'", "''") + "'::regclass AND n.groupid <> 0"
          + " ORDER BY n.nodeport, s.shardid LIMIT 2");
      String[] from = shards.get(0).split("\\|");
      String[] to = shards.get(1).split("\\|");
      assertEquals(from[3], to[3], "two shards of one worker");
      shard = to[0];
      shardId = to[1];
      node = to[2] + ":" + to[3];
      try (Connection w = config.target().openNode(to[2], Integer.parseInt(to[3]))) {
        execute(w, "WITH moved AS (DELETE FROM " + from[0] + " WHERE ctid = (SELECT min(ctid) FROM "
            + from[0] + ") RETURNING *) INSERT INTO " + to[0] + " SELECT * FROM moved");
      }
      // The run stopped before verifying, as far as its record knows: --resume verifies again.
      execute(c, "DELETE FROM pg2citus.steps WHERE step = 'VERIFIED'");
    }
    MigrationSummary again = Migrations.run(config, true, Migrations.rejectsDir());
    assertFalse(again.ok(), again::render);
    assertTrue(again.tables().stream().allMatch(MigrationSummary.TableRow::consistent), "the counts agree: "
        + again.render());
    MigrationSummary.Phase verify = again.phases().stream().filter(p -> p.name().equals("verify")).findFirst()
        .orElseThrow();
    assertEquals(List.of("\"Sales Dept\".\"Order Items\": 1 row in shard " + shard + " (" + shardId + ") on " + node
        + " whose hash lies outside the shard's range"), verify.errors(), again::render);
  }

  @Test
  void nodeAddressesReachAWorkerByAnotherNameAndAnUnknownOneIsWarned() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = source("renamed_src");
    String dst = TestCitus.freshDatabase("renamed_dst");
    StringBuilder addresses = new StringBuilder("  node-addresses:\n    '10.255.0.1:5432': '127.0.0.1:1'\n");
    for (String[] worker : workers(dst)) {
      assertEquals("127.0.0.1", worker[0], "pg_dist_node holds the loopback address");
      addresses.append("    '").append(worker[0]).append(':').append(worker[1]).append("': 'localhost:")
          .append(worker[1]).append("'\n");
    }
    // load.write-path: auto takes the shard path for this hash-distributed bigint table, as shards would.
    MigrationSummary summary = Migrations.run(config(src, dst, addresses.toString(),
        RULES.replace("write-path: shards", "write-path: auto")));
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("load.write-path: auto: 1 of 1 tables straight into their shards"),
        summary::render);
    assertTrue(summary.render().contains("target.node-addresses names 10.255.0.1:5432, which is no node of"
        + " pg_dist_node"), summary::render);
    assertTrue(summary.render().contains("every row lies in its shard's hash range"), summary::render);
  }

  @Test
  void aWrongNodeAddressFailsNamingTheNode() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = source("wrong_node_src");
    String dst = TestCitus.freshDatabase("wrong_node_dst");
    String[] worker = workers(dst).get(0);
    String node = worker[0] + ":" + worker[1];
    MigrationConfig config = config(src, dst, "  node-addresses:\n    '" + node + "': '127.0.0.1:1'\n", RULES);
    SQLException e = assertThrows(SQLException.class, () -> Migrations.run(config));
    assertTrue(e.getMessage().contains("the Citus node " + node + " (pg_dist_node), reached at 127.0.0.1:1 as"
        + " target.node-addresses says: cannot connect to"), e.getMessage());
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String source(String prefix) throws SQLException {
    String src = TestPostgres.freshDatabase(prefix);
    TestPostgres.execute(src, SOURCE);
    return src;
  }

  /** The workers' {@code {nodename, nodeport}} as pg_dist_node holds them. */
  private static List<String[]> workers(String dst) throws SQLException {
    try (Connection c = TestCitus.connect(dst)) {
      return TestPostgres.rows(c, "SELECT nodename || ' ' || nodeport FROM pg_dist_node WHERE groupid <> 0"
          + " ORDER BY nodeport").stream().map(r -> r.split(" ")).toList();
    }
  }

  /** A configuration with {@code targetExtra} in its target section. */
  private static MigrationConfig config(String src, String dst, String targetExtra, String yaml) {
    String text = "source:\n  url: '" + TestPostgres.jdbcUrl(src) + "'\n  user: " + TestPostgres.user() + "\n"
        + "target:\n  url: '" + TestCitus.jdbcUrl(dst) + "'\n  user: " + TestCitus.user() + "\n" + targetExtra + yaml;
    return new ConfigLoader(Map.<String, String>of()::get).parse(text, "test.yaml", ConfigLoader.Overrides.none());
  }
}
