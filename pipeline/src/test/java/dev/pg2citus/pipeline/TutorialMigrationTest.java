package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tutorial schema end to end on the Direct runner: every target row equals its source row, with
 * the added company_id equal to the one found by joining the source along the row's foreign keys.
 */
class TutorialMigrationTest {
  private static final String RULES = """
      distribute:
        - companies using id
      load:
        include-drop: true
        partitions-per-table: 3
        verify: checksums
      """;

  /** Each table's rows as text, with company_id computed on the source by joining along the FK path. */
  private static final List<String> SOURCE_QUERIES = List.of(
      "SELECT c.id, c::text FROM companies c",
      "SELECT ca.company_id, ca.id, ca::text FROM campaigns ca",
      "SELECT ca.company_id, a.id, a::text FROM ads a JOIN campaigns ca ON ca.id = a.campaign_id",
      "SELECT ca.company_id, k.id, k::text FROM clicks k JOIN ads a ON a.id = k.ad_id"
          + " JOIN campaigns ca ON ca.id = a.campaign_id",
      "SELECT ca.company_id, i.id, i::text FROM impressions i JOIN ads a ON a.id = i.ad_id"
          + " JOIN campaigns ca ON ca.id = a.campaign_id");

  /** The same rows from the target, where company_id is a column (first, on the three added tables). */
  private static final List<String> TARGET_QUERIES = List.of(
      "SELECT c.id, c::text FROM companies c",
      "SELECT ca.company_id, ca.id, ca::text FROM campaigns ca",
      "SELECT a.company_id, a.id, (a.id, a.campaign_id, a.name, a.image_url, a.target_url, a.impressions_count,"
          + " a.clicks_count, a.created_at, a.updated_at)::text FROM ads a",
      "SELECT k.company_id, k.id, (k.id, k.ad_id, k.clicked_at, k.site_url, k.cost_per_click_usd, k.user_ip,"
          + " k.user_data)::text FROM clicks k",
      "SELECT i.company_id, i.id, (i.id, i.ad_id, i.seen_at, i.site_url, i.cost_per_impression_usd, i.user_ip,"
          + " i.user_data)::text FROM impressions i");

  private static String source() throws SQLException {
    String db = TestPostgres.freshDatabase("tutorial_src");
    TestPostgres.execute(db, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    return db;
  }

  @Test
  void onPlainPostgresql() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("tutorial_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, RULES).withPlainTarget();
    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertEquals(5, summary.tables().size());
    assertEquals(305_550, summary.tables().stream().mapToLong(MigrationSummary.TableRow::rowsWritten).sum());
    assertTrue(summary.tables().stream().allMatch(t -> t.checksums() == MigrationSummary.Check.MATCH), summary::render);
    compare(src, dst, TestPostgres::connect);
  }

  /** The shuffle fallback on a smaller set (the Direct runner shuffles slowly), orphans included. */
  @Test
  void shuffleJoinInsteadOfSideInputsGivesTheSameRowsAndRejectsOrphans() throws SQLException, IOException {
    String src = source();
    TestPostgres.execute(src, """
        DELETE FROM clicks WHERE id % 40 <> 0;
        DELETE FROM impressions WHERE id % 80 <> 0;
        INSERT INTO ads (id, campaign_id, name, created_at, updated_at) VALUES (900001, NULL, 'orphan', now(), now());
        INSERT INTO clicks (ad_id, clicked_at, site_url, user_ip, user_data)
          VALUES (900001, now(), 'x', '127.0.0.1', '{}');
        """);
    String dst = TestPostgres.freshDatabase("tutorial_shuffle_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, RULES + "  side-input-max-keys: 0\n")
        .withPlainTarget();
    MigrationSummary summary = Migrations.run(config);

    assertEquals(2, summary.rejected(), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
    TestPostgres.execute(src, "DELETE FROM clicks WHERE ad_id = 900001; DELETE FROM ads WHERE id = 900001;");
    compare(src, dst, TestPostgres::connect);
  }

  @Test
  void onCitus() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("tutorial_dst");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(),
        RULES);
    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    compare(src, dst, TestCitus::connect);
  }

  /** pgloader's command file from its Citus documentation, as it is: the same rows, its cast and its options. */
  @Test
  void onCitusFromThePgloaderCommandFile() throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("tutorial_load_dst");
    MigrationConfig config = new ConfigLoader(Map.<String, String>of()::get).parseCommandFile(
        EmbeddedDefault.resource("/dev/pg2citus/configs/hackathon.load"), "hackathon.load",
        new ConfigLoader.Overrides(TestPostgres.jdbcUrlWithUser(src), TestCitus.jdbcUrl(dst) + "?user="
            + TestCitus.user(), List.of()));
    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertEquals(305_550, summary.tables().stream().mapToLong(MigrationSummary.TableRow::rowsWritten).sum());
    compare(src, dst, TestCitus::connect, SOURCE_QUERIES.size() - 1);
    // impressions: seen_at cast to timestamp with time zone, every company_id that of its ad.
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of("timestamp with time zone"), TestPostgres.rows(c, "SELECT data_type FROM"
          + " information_schema.columns WHERE table_name = 'impressions' AND column_name = 'seen_at'"));
      assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, "SELECT count(*) FROM impressions"))),
          TestPostgres.rows(c, "SELECT count(*) FROM impressions i JOIN ads a ON (a.company_id, a.id) ="
              + " (i.company_id, i.ad_id)"));
      // reset no sequences: the target's sequence was not set to the source's value.
      assertEquals(List.of("1 false"),
          TestPostgres.rows(c, "SELECT last_value || ' ' || is_called FROM companies_id_seq"));
    }
  }

  private interface Connector {
    Connection connect(String db) throws SQLException;
  }

  private static void compare(String src, String dst, Connector target) throws SQLException {
    compare(src, dst, target, SOURCE_QUERIES.size());
  }

  /** Compares the first {@code tables} tables. */
  private static void compare(String src, String dst, Connector target, int tables) throws SQLException {
    for (int i = 0; i < tables; i++) {
      List<String> expected = rows(TestPostgres.connect(src), SOURCE_QUERIES.get(i));
      List<String> actual = rows(target.connect(dst), TARGET_QUERIES.get(i));
      assertTrue(expected.size() > 0, SOURCE_QUERIES.get(i));
      assertEquals(expected.size(), actual.size(), TARGET_QUERIES.get(i));
      for (int r = 0; r < expected.size(); r++) {
        assertEquals(expected.get(r), actual.get(r), "row " + r + " of " + TARGET_QUERIES.get(i));
      }
    }
  }

  /** All rows, each as its columns joined by '|', sorted by the query's first two columns. */
  private static List<String> rows(Connection c, String query) throws SQLException {
    List<String> result = new ArrayList<>();
    try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query + " ORDER BY 1, 2")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int k = 1; k <= n; k++) {
          row.append(rs.getString(k)).append('|');
        }
        result.add(row.toString());
      }
    }
    return result;
  }
}
