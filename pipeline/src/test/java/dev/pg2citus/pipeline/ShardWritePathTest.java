package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import dev.pg2citus.verify.PlacementCheck;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code load.write-path: shards} on a real Citus (coordinator and two workers): the same source
 * migrated through the coordinator and straight into the shards ends with the same rows, checksums
 * verified, every row in the shard whose range holds its hash, and the workers' ledgers showing the
 * shard path was taken.
 */
class ShardWritePathTest {
  private static final String TUTORIAL = """
      distribute:
        - companies using id
      load:
        partitions-per-table: 3
        verify: checksums
      """;

  /** Every type the shard path hashes itself, with values at the edges: empty, non-ASCII, negatives, escapes. */
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("smallint", "SELECT (g % 65535 - 32767)::smallint FROM generate_series(1, 3000) g"),
      Map.entry("integer", "SELECT (g::bigint * 1431000 - 2147000000)::int FROM generate_series(1, 3000) g"),
      Map.entry("bigint", "SELECT (g::bigint * 3074457345618258 - 4611686018427387904) FROM generate_series(1, 3000) g"),
      Map.entry("text", "SELECT repeat(chr(32 + g % 90), g % 65) || CASE g % 5 WHEN 0 THEN 'é€' WHEN 1 THEN E'\\t\\\\'"
          + " WHEN 2 THEN '😀' ELSE '' END || g FROM generate_series(1, 3000) g UNION ALL SELECT ''"),
      Map.entry("character(12)", "SELECT lpad(g::text, g % 11) FROM generate_series(1, 3000) g"),
      Map.entry("bytea", "SELECT decode(md5(g::text), 'hex') || '\\x00ff'::bytea FROM generate_series(1, 3000) g"),
      Map.entry("uuid", "SELECT md5(g::text)::uuid FROM generate_series(1, 3000) g"),
      Map.entry("date", "SELECT date '2000-01-01' + (g * 97 - 150000) FROM generate_series(1, 3000) g"),
      Map.entry("timestamp without time zone", "SELECT timestamp '2000-01-01' + (g * 123457 - 180000000) * interval"
          + " '1 second' + g * interval '1 microsecond' FROM generate_series(1, 3000) g"),
      Map.entry("timestamp with time zone", "SELECT timestamptz '1999-12-31 23:00+05:30' + (g * 98765 - 150000000)"
          + " * interval '1 second' FROM generate_series(1, 3000) g"),
      Map.entry("boolean", "SELECT g % 2 = 0 FROM generate_series(1, 20) g"));

  @Test
  void tutorialIsTheSameThroughTheShardsAsThroughTheCoordinator() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("shards_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    List<String> tables = List.of("companies", "campaigns", "ads", "clicks", "impressions");
    String viaCoordinator = migrate(src, "shards_coord", TUTORIAL, false);
    String viaShards = migrate(src, "shards_direct", TUTORIAL, true);
    for (String table : tables) {
      assertSameRows(viaCoordinator, viaShards, table);
      assertPlaced(viaShards, table);
    }
    assertLedgers(viaShards, 5 * 3, 5);
  }

  @Test
  void everyRoutedTypeIsTheSameThroughTheShards() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("shards_types_src");
    StringBuilder schema = new StringBuilder();
    StringBuilder rules = new StringBuilder("distribute:\n");
    int i = 0;
    for (var type : TYPES.entrySet()) {
      String table = "t" + i++;
      schema.append("CREATE TABLE ").append(table).append(" (k ").append(type.getKey()).append(", n serial);")
          .append("INSERT INTO ").append(table).append(" (k) ").append(type.getValue()).append(";");
      rules.append("  - ").append(table).append(" using k\n");
    }
    TestPostgres.execute(src, schema.toString());
    String yaml = rules + "load:\n  partitions-per-table: 2\n  verify: checksums\n  batch-rows: 200\n";
    String viaCoordinator = migrate(src, "shards_types_coord", yaml, false);
    String viaShards = migrate(src, "shards_types_direct", yaml, true);
    for (int t = 0; t < TYPES.size(); t++) {
      assertSameRows(viaCoordinator, viaShards, "t" + t);
      assertPlaced(viaShards, "t" + t);
    }
    assertLedgers(viaShards, TYPES.size() * 2, TYPES.size());
  }

  private static String migrate(String src, String prefix, String yaml, boolean shards)
      throws SQLException, IOException {
    String dst = TestCitus.freshDatabase(prefix);
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(),
        yaml + (shards ? "  write-path: shards\n" : ""));
    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
    assertEquals(shards, summary.render().contains("every row lies in its shard's hash range"), summary::render);
    return dst;
  }

  private static void assertSameRows(String expected, String actual, String table) throws SQLException {
    String query = "SELECT x::text FROM " + table + " x ORDER BY 1";
    try (Connection e = TestCitus.connect(expected); Connection a = TestCitus.connect(actual)) {
      List<String> want = TestPostgres.rows(e, query);
      assertTrue(!want.isEmpty(), table + " has rows");
      assertEquals(want, TestPostgres.rows(a, query), table + ": the same rows");
    }
  }

  /** Per shard, on its worker: no row whose worker_hash lies outside the shard's range. */
  private static void assertPlaced(String dst, String table) throws SQLException {
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of(), PlacementCheck.check(c, spec(dst), table).orElseThrow().misplaced(),
          table + ": misplaced rows");
    }
  }

  /**
   * The workers' ledgers hold a row per (partition, worker) written, for every table: the rows did not
   * pass the coordinator.
   */
  private static void assertLedgers(String dst, int partitions, int tables) throws SQLException {
    long ledgerRows = 0;
    Set<String> written = new HashSet<>();
    try (Connection c = TestCitus.connect(dst)) {
      for (String node : TestPostgres.rows(c, "SELECT nodename || ':' || nodeport FROM pg_dist_node"
          + " WHERE shouldhaveshards AND noderole = 'primary'")) {
        int colon = node.lastIndexOf(':');
        try (Connection w = spec(dst).atNode(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)))
            .open()) {
          ledgerRows += Long.parseLong(TestPostgres.rows(w, "SELECT count(*) FROM pg2citus_shards.ledger").get(0));
          written.addAll(TestPostgres.rows(w, "SELECT DISTINCT table_name FROM pg2citus_shards.ledger"));
        }
      }
    }
    assertTrue(ledgerRows >= partitions, "ledger rows on the workers: " + ledgerRows);
    assertEquals(tables, written.size(), "tables on the shard path: " + written);
  }

  private static ConnectionSpec spec(String dst) {
    return new ConnectionSpec(TestCitus.jdbcUrl(dst), TestCitus.user(), null, Map.of());
  }
}
