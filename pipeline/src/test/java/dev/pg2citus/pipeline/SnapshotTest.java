package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Writes to the source during a migration do not reach the target: it holds the snapshot's moment. */
class SnapshotTest {
  @Test
  void targetEqualsTheSnapshotWhileTheSourceChanges() throws Exception {
    String src = TestPostgres.freshDatabase("snap_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    String dst = TestPostgres.freshDatabase("snap_dst");
    String before = checksum(src);
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute:
          - companies using id
        load:
          partitions-per-table: 40
        """).withPlainTarget();

    CompletableFuture<MigrationSummary> run = CompletableFuture.supplyAsync(() -> {
      try {
        return new Migration(config, Migrations.directRunner(1),
            new Migration.Options(false, Migrations.rejectsDir(), 60)).run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long[] progressWhenWritten = writeWhileCopying(src, dst);
    MigrationSummary summary = run.get(5, TimeUnit.MINUTES);

    assertTrue(progressWhenWritten[0] < progressWhenWritten[1],
        "the source must change while partitions are still to be copied");
    assertTrue(summary.ok(), summary::render);
    assertEquals(before, checksum(dst), "the target holds the source as it was when the snapshot was taken");
    assertTrue(!before.equals(checksum(src)), "the source did change");
  }

  /** Waits until the run has planned its partitions, then changes every table; returns [done, total] then. */
  private static long[] writeWhileCopying(String src, String dst) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      long[] progress = progress(dst);
      if (progress != null) {
        TestPostgres.execute(src, """
            UPDATE clicks SET site_url = 'changed during the migration';
            DELETE FROM impressions WHERE id % 2 = 0;
            INSERT INTO companies (name, created_at, updated_at) SELECT 'late ' || i, now(), now()
              FROM generate_series(1, 10) i;
            UPDATE campaigns SET company_id = 1;
            """);
        return progress;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the migration never started copying");
  }

  private static long[] progress(String dst) throws SQLException {
    try (Connection c = TestPostgres.connect(dst); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('pg2citus.partitions') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return null;
      }
      try (ResultSet p = st.executeQuery("SELECT count(*) FILTER (WHERE done), count(*) FROM pg2citus.partitions")) {
        p.next();
        return p.getLong(2) == 0 ? null : new long[] {p.getLong(1), p.getLong(2)};
      }
    }
  }

  /** A digest of the tutorial tables' source columns, the same on both sides. */
  private static String checksum(String db) throws SQLException {
    String sql = "SELECT md5(string_agg(r, E'\\n' ORDER BY r)) FROM ("
        + " SELECT 'co' || (c.id, c.name, c.image_url, c.created_at, c.updated_at)::text r FROM companies c"
        + " UNION ALL SELECT 'ca' || (x.id, x.company_id, x.name, x.cost_model, x.state, x.monthly_budget,"
        + "   x.blacklisted_site_urls, x.created_at, x.updated_at)::text FROM campaigns x"
        + " UNION ALL SELECT 'ad' || (a.id, a.campaign_id, a.name)::text FROM ads a"
        + " UNION ALL SELECT 'cl' || (k.id, k.ad_id, k.clicked_at, k.site_url, k.user_data)::text FROM clicks k"
        + " UNION ALL SELECT 'im' || (i.id, i.ad_id, i.seen_at, i.user_ip)::text FROM impressions i) rows";
    try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
