package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Paths where a migration could lose, duplicate or misplace rows without a word; each must speak up. */
class RecoveryAndEdgeCasesTest {
  private static final String SCHEMA = """
      CREATE TABLE companies (id bigint PRIMARY KEY);
      CREATE TABLE campaigns (id bigint NOT NULL, region text NOT NULL, company_id bigint REFERENCES companies (id),
                              PRIMARY KEY (id), UNIQUE (region, id));
      -- the foreign key lists its columns in another order than the table does
      CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint, name text, region text,
                        FOREIGN KEY (region, campaign_id) REFERENCES campaigns (region, id));
      INSERT INTO companies SELECT generate_series(1, 3);
      INSERT INTO campaigns SELECT i, 'r' || (i % 2), 1 + i % 3 FROM generate_series(1, 9) i;
      INSERT INTO ads SELECT i, 1 + i % 9, 'ad ' || i, 'r' || ((1 + i % 9) % 2) FROM generate_series(1, 90) i;
      """;

  private static String source() throws SQLException {
    String db = TestPostgres.freshDatabase("edge_src");
    TestPostgres.execute(db, SCHEMA);
    return db;
  }

  private static MigrationConfig config(String src, String dst, String load) {
    return TestConfigs.onTestPostgres(src, dst, "distribute: [companies using id]\nload:\n" + load)
        .withPlainTarget();
  }

  @Test
  void compositeForeignKeyInAnotherColumnOrderIsBackfilled() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    MigrationSummary summary = Migrations.run(config(src, dst, "  include-drop: true\n"));
    assertTrue(summary.ok(), summary::render);
    assertEquals(90, TestPostgres.scalar(dst, "SELECT count(*) FROM ads"));
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM ads a JOIN campaigns c ON c.id = a.campaign_id"
        + " WHERE a.company_id <> c.company_id"));
  }

  @Test
  void resumedRunOverAChangedSourceFindsAddedColumnsThatDisagreeWithTheirParents() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    MigrationConfig config = config(src, dst, "  include-drop: true\n  foreign-keys: false\n");
    assertTrue(Migrations.run(config).ok());
    // As after a crash while ads were copied; then the source moves a campaign to another company.
    TestPostgres.execute(dst, "TRUNCATE ads; UPDATE pg2citus.partitions SET done = false WHERE table_name = 'public.ads';"
        + " DELETE FROM pg2citus.steps WHERE step <> 'CREATED'");
    TestPostgres.execute(src, "UPDATE campaigns SET company_id = 3 WHERE id = 1");
    // Refused by default; accepted with --not-consistent, verification then finds what the mix did.
    ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(config, true,
        Migrations.rejectsDir()));
    assertTrue(refused.getMessage().contains("moved): public.campaigns;"), refused.getMessage());
    MigrationSummary resumed = new Migration(config, Migrations.directRunner(3),
        new Migration.Options(true, Migrations.rejectsDir(), 60, false, true)).run();

    MigrationSummary.TableRow ads = resumed.tables().stream().filter(t -> t.table().equals("public.ads"))
        .findFirst().orElseThrow();
    assertEquals(10, ads.backfillMismatches().orElseThrow(), resumed::render);
    assertFalse(resumed.ok(), "the mixed snapshots must not pass for a clean run");
    assertTrue(resumed.render().contains("DISTRIBUTION VALUE DIFFERS IN 10 ROWS"), resumed::render);
  }

  @Test
  void aTargetWithTheTablesAlreadyIsRefusedBeforeTheRunRecordAndNeverDroppedByAResume() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    TestPostgres.execute(dst, "CREATE TABLE companies (id bigint PRIMARY KEY, name text); INSERT INTO companies VALUES (1, 'mine')");
    MigrationConfig config = config(src, dst, "  batch-rows: 1000\n");
    ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(config));
    assertTrue(refused.getMessage().contains("of the tables already"), refused.getMessage());
    ConfigException nothingToResume = assertThrows(ConfigException.class,
        () -> Migrations.run(config, true, Migrations.rejectsDir()));
    assertTrue(nothingToResume.getMessage().contains("no earlier run"), nothingToResume.getMessage());
    assertEquals(1, TestPostgres.scalar(dst, "SELECT count(*) FROM companies WHERE name = 'mine'"), "the user's table stays");
  }

  @Test
  void dataOnlyRefusesTargetsThatAlreadyHaveForeignKeys() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    assertTrue(Migrations.run(config(src, dst, "  schema-only: true\n")).ok());
    ConfigException e = assertThrows(ConfigException.class, () -> Migrations.run(config(src, dst, "  data-only: true\n")));
    assertTrue(e.getMessage().contains("already have foreign keys"), e.getMessage());
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM ads"));
  }

  @Test
  void failuresThatAreNotAboutARowStopInsteadOfRejectingEveryRow() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    MigrationSummary created = Migrations.run(config(src, dst, "  include-drop: true\n  foreign-keys: false\n"));
    assertTrue(created.ok(), created::render);
    TestPostgres.execute(dst, """
        TRUNCATE companies, campaigns, ads;
        CREATE FUNCTION outage() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION 'connection to the remote node failed' USING ERRCODE = '08006'; END $$;
        CREATE TRIGGER outage BEFORE INSERT ON ads FOR EACH STATEMENT EXECUTE FUNCTION outage();
        """);
    MigrationSummary run = Migrations.run(config(src, dst,
        "  data-only: true\n  truncate: true\n  on-error: reject\n  foreign-keys: false\n"
            + "  outage-wait: 0s\n")); // the trigger's 08006 is no outage that ends: stop after the retries

    assertEquals(0, run.rejected(), run::render);
    MigrationSummary.Phase data = run.phases().stream().filter(p -> p.name().equals("data")).findFirst().orElseThrow();
    assertTrue(data.errors().stream().anyMatch(m -> m.contains("public.ads partition") && m.contains("remote node")),
        run::render);
    assertEquals(1, TestPostgres.scalar(dst,
            "SELECT count(*) FROM pg2citus.partitions WHERE table_name = 'public.ads' AND NOT done"),
        "the partition stays to be redone on resume");
  }

  @Test
  void aStatementTheTargetRefusesStopsAtOnceNamingTheStatementAndIsNeverRetried() throws SQLException, IOException {
    String src = source();
    String dst = TestPostgres.freshDatabase("edge_dst");
    assertTrue(Migrations.run(config(src, dst, "  schema-only: true\n  foreign-keys: false\n")).ok());
    TestPostgres.execute(dst, "ALTER TABLE ads DROP COLUMN name");
    MigrationConfig dataOnly = config(src, dst, "  data-only: true\n  foreign-keys: false\n  retry-backoff: 10ms\n");
    for (boolean resume : new boolean[] {false, true}) {
      MigrationSummary run = Migrations.run(dataOnly, resume, Migrations.rejectsDir());
      MigrationSummary.Phase data = run.phases().stream().filter(p -> p.name().equals("data")).findFirst().orElseThrow();
      assertTrue(data.errors().stream().anyMatch(m -> m.contains("refused a statement during public.ads partition")
          && m.contains("column \"name\" of relation \"ads\" does not exist")
          && m.contains("the statement: COPY \"public\".\"ads\"")), run::render);
      assertFalse(run.render().contains("lost"), "a deterministic error is no lost connection: " + run.render());
      assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.retries"), run::render);
    }
  }
}
