package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.pipeline.Migrations;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration killed (SIGKILL of its JVM) in create, in the data phase and in finalize, or stopped
 * before verification ended, then {@code migrate --resume}: each ends with the same target as a
 * run that was never interrupted — every row once, every key, index, foreign key, sequence value
 * and object — and a resume of the finished run says so and changes nothing.
 */
class KillAnywhereTest {
  /** The tutorial, and enough small tables that create takes long enough to be caught in the middle. */
  private static final int EXTRA_TABLES = 150;
  private static final String YAML = """
      distribute:
        - companies using id
      load:
        partitions-per-table: 20
      """;
  /** What a finished target holds, table by table and object by object, to compare two targets. */
  private static final String FINGERPRINT = """
      SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value::text, '-') FROM pg_sequences
       WHERE schemaname = 'public'
      UNION ALL SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public'
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      ORDER BY 1
      """;
  private static final List<String> TABLES = List.of("companies", "campaigns", "ads", "clicks", "impressions");

  private static String source;
  private static List<String> clean;

  @BeforeAll
  static void sourceAndACleanRun() throws Exception {
    StringBuilder sql = new StringBuilder(EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    for (int i = 0; i < EXTRA_TABLES; i++) {
      sql.append("CREATE TABLE extra_").append(i).append(" (id serial PRIMARY KEY, note text);\n");
    }
    sql.append("CREATE VIEW campaign_ads AS SELECT c.name, count(*) AS ads FROM campaigns c JOIN ads a"
        + " ON a.campaign_id = c.id GROUP BY c.name;\n");
    source = TestPostgres.freshDatabase("kill_src");
    TestPostgres.execute(source, sql.toString());
    String dst = TestPostgres.freshDatabase("kill_clean");
    MigrationSummary summary = Migrations.run(config(dst));
    assertTrue(summary.ok(), summary::render);
    assertEquals(List.of(), pg2citusSessions(), "every session of the run closed when it ended");
    clean = fingerprint(dst);
  }

  @Test
  void killedInCreate(@TempDir Path dir) throws Exception {
    String dst = TestPostgres.freshDatabase("kill_create");
    ChildMigration.killWhen(write(dir, dst), dir, () -> RunRecord.partitions(dst) != null
        && !RunRecord.steps(dst).contains("CREATED") && tablesIn(dst) > EXTRA_TABLES / 3);
    assertTrue(!RunRecord.steps(dst).contains("CREATED") && tablesIn(dst) < EXTRA_TABLES + TABLES.size(),
        "killed with some tables created");
    resumeAndCompare(dst, dir);
  }

  @Test
  void killedInTheDataPhase(@TempDir Path dir) throws Exception {
    String dst = TestPostgres.freshDatabase("kill_data");
    ChildMigration.killWhen(write(dir, dst), dir, () -> {
      long[] p = RunRecord.partitions(dst);
      return p != null && p[0] > 0;
    });
    long[] p = RunRecord.partitions(dst);
    assertTrue(p[0] < p[1], "killed with partitions left: " + p[0] + " of " + p[1]);
    resumeAndCompare(dst, dir);
  }

  @Test
  void killedInFinalize(@TempDir Path dir) throws Exception {
    String dst = TestPostgres.freshDatabase("kill_finalize");
    ChildMigration.killWhen(write(dir, dst), dir, () -> RunRecord.postDataDone(dst) > 10);
    assertTrue(!RunRecord.steps(dst).contains("FINALIZED"), "killed in finalize: " + RunRecord.steps(dst));
    resumeAndCompare(dst, dir);
  }

  @Test
  void stoppedBeforeVerificationEndedAndResumedAfterTheEnd(@TempDir Path dir) throws Exception {
    String dst = TestPostgres.freshDatabase("kill_verify");
    assertTrue(Migrations.run(config(dst)).ok());
    // The state a kill during verification leaves: everything but the last mark.
    TestPostgres.execute(dst, "DELETE FROM pg2citus.steps WHERE step = 'VERIFIED'");
    resumeAndCompare(dst, dir);

    MigrationSummary again = Migrations.run(config(dst), true, dir.resolve("rejects"));
    assertTrue(again.ok(), again::render);
    assertTrue(again.render().contains("finished already"), again::render);
    assertEquals(clean, fingerprint(dst));
  }

  private static void resumeAndCompare(String dst, Path dir) throws Exception {
    MigrationSummary resumed = Migrations.run(config(dst), true, dir.resolve("rejects"));
    assertTrue(resumed.ok(), resumed::render);
    for (String table : TABLES) {
      assertEquals(TestPostgres.scalar(source, "SELECT count(*) FROM " + table),
          TestPostgres.scalar(dst, "SELECT count(DISTINCT id) FROM " + table), table + ": every source row");
      assertEquals(TestPostgres.scalar(dst, "SELECT count(DISTINCT id) FROM " + table),
          TestPostgres.scalar(dst, "SELECT count(*) FROM " + table), table + ": no row twice");
    }
    assertEquals(clean, fingerprint(dst), "the same target as a run never interrupted");
    assertTrue(RunRecord.steps(dst).contains("VERIFIED"), "the resumed run is finished");
    assertEquals(List.of(), pg2citusSessions(), "every session of the resumed run closed when it ended");
  }

  /**
   * The source's sessions a run opened (its application_name) still there: none once it has ended.
   * A closed session's server process exits just after its client has gone: it is given 5 s.
   */
  private static List<String> pg2citusSessions() throws Exception {
    long deadline = System.currentTimeMillis() + 5_000;
    while (true) {
      try (Connection c = TestPostgres.connect(source)) {
        List<String> sessions = TestPostgres.rows(c, "SELECT application_name || ' ' || state || ': '"
            + " || left(query, 80) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name = 'pg2citus'");
        if (sessions.isEmpty() || System.currentTimeMillis() > deadline) {
          return sessions;
        }
      }
      Thread.sleep(100);
    }
  }

  private static MigrationConfig config(String dst) {
    return TestConfigs.onTestPostgres(source, dst, YAML).withPlainTarget();
  }

  private static Path write(Path dir, String dst) throws Exception {
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(source) + "'\ntarget:\n  url: '"
        + TestPostgres.jdbcUrlWithUser(dst) + "'\n  plain-postgresql: true\n" + YAML);
    return config;
  }

  private static long tablesIn(String db) throws SQLException {
    return TestPostgres.scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
  }

  private static List<String> fingerprint(String db) throws SQLException {
    try (Connection c = TestPostgres.connect(db)) {
      List<String> rows = new ArrayList<>(TestPostgres.rows(c, FINGERPRINT));
      for (String table : TABLES) {
        rows.addAll(TestPostgres.rows(c, "SELECT '" + table + " ' || count(*) || ' ' || coalesce(sum(('x' ||"
            + " left(md5(t::text), 16))::bit(64)::bigint), 0) FROM " + table + " t"));
      }
      return rows;
    }
  }
}
