package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.ddl.Step;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Post-data beside the load: tables get their keys while others still load, every statement is
 * recorded once, and the target ends with exactly the keys, indexes, foreign keys and checks of
 * the serial path.
 */
class PostDataOverlapTest {
  /** companies, campaigns and ads in one partition each, clicks in 5, impressions in 10. */
  private static final String RULES = """
      distribute:
        - companies using id
      load:
        include-drop: true
        split-threshold: 20000
      """;
  private static final Pattern DURING = Pattern.compile("(\\d+) of (\\d+) statements ran during the data phase");

  private interface Target {
    Connection open() throws SQLException;
  }

  private static String tutorial() throws SQLException {
    String db = TestPostgres.freshDatabase("overlap_src");
    TestPostgres.execute(db, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE) + "ANALYZE;");
    return db;
  }

  @Test
  void onPlainPostgresqlTablesGetTheirKeysWhileOthersLoad() throws SQLException, IOException {
    String src = tutorial();
    String dst = TestPostgres.freshDatabase("overlap_dst");
    String ref = TestPostgres.freshDatabase("overlap_ref");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, RULES).withPlainTarget();
    MigrationSummary summary = Migrations.run(config);
    SchemaDefinitions.buildSerially(TestConfigs.onTestPostgres(src, ref, RULES).withPlainTarget());

    assertOverlapped(config, summary, () -> TestPostgres.connect(dst));
    assertEquals(SchemaDefinitions.of(TestPostgres.connect(ref)), SchemaDefinitions.of(TestPostgres.connect(dst)));
  }

  @Test
  void onCitusTablesGetTheirKeysWhileOthersLoad() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = tutorial();
    String dst = TestCitus.freshDatabase("overlap_dst");
    String ref = TestCitus.freshDatabase("overlap_ref");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(),
        RULES);
    MigrationSummary summary = Migrations.run(config);
    SchemaDefinitions.buildSerially(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(ref),
        TestPostgres.user(), RULES));

    assertOverlapped(config, summary, () -> TestCitus.connect(dst));
    assertEquals(SchemaDefinitions.of(TestCitus.connect(ref)), SchemaDefinitions.of(TestCitus.connect(dst)));
  }

  /** Partitioned tables, exclusion constraints, deferrable and NOT VALID keys, on one index worker and on three. */
  @ParameterizedTest(name = "index-workers: {0}, analyze: {1}")
  @CsvSource({"1, false", "3, true"})
  void theFidelitySchemaComesOutAsTheSerialPathBuildsIt(int indexWorkers, boolean analyze)
      throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("overlap_fidelity_src");
    TestPostgres.execute(src, EmbeddedDefault.resource("/dev/pg2citus/ddl/fidelity-schema.sql"));
    String dst = TestPostgres.freshDatabase("overlap_fidelity_dst");
    String ref = TestPostgres.freshDatabase("overlap_fidelity_ref");
    String yaml = "load:\n  include-drop: true\n  index-workers: " + indexWorkers + "\n  analyze: " + analyze + "\n";
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, yaml));
    SchemaDefinitions.buildSerially(TestConfigs.onTestPostgres(src, ref, yaml));

    assertTrue(summary.ok(), summary::render);
    assertEquals(SchemaDefinitions.of(TestPostgres.connect(ref)), SchemaDefinitions.of(TestPostgres.connect(dst)));
    assertEquals(analyze ? 5 : 0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.post_data"
        + " WHERE step = '" + Step.ANALYZE.label() + "'"), "one ANALYZE per table, partitions with their table");
    assertEquals(!analyze, summary.phases().stream().flatMap(p -> p.notes().stream())
        .anyMatch(n -> n.contains("ANALYZE left to autovacuum")), summary::render);
  }

  /**
   * The summary says how much ran during the load; statements finished before the last partition
   * was marked done, none before the last partition of its own table; every planned statement is
   * recorded exactly once.
   */
  private static void assertOverlapped(MigrationConfig config, MigrationSummary summary, Target target)
      throws SQLException {
    assertTrue(summary.ok(), summary::render);
    Matcher during = DURING.matcher(summary.render());
    assertTrue(during.find(), summary::render);
    assertTrue(Integer.parseInt(during.group(1)) > 0, summary::render);
    int planned = SchemaTool.load(config).scripts().postData().tasks().size();
    try (Connection c = target.open()) {
      assertTrue(scalar(c, "SELECT count(*) FROM pg2citus.post_data"
          + " WHERE done_at < (SELECT max(finished_at) FROM pg2citus.partitions)") > 0, "some ran during the load");
      assertEquals(0, scalar(c, "SELECT count(*) FROM pg2citus.post_data d WHERE d.done_at < (SELECT"
          + " max(finished_at) FROM pg2citus.partitions p WHERE p.table_name = split_part(d.subject, ' ', 1))"),
          "no statement before its table's rows were all in");
      assertEquals(planned, scalar(c, "SELECT count(DISTINCT statement) FROM pg2citus.post_data"));
      assertEquals(planned, scalar(c, "SELECT count(*) FROM pg2citus.post_data"));
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
