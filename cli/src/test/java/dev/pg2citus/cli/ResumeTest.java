package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.pipeline.Migrations;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration killed in the middle (SIGKILL of its JVM) and resumed: finished partitions are kept,
 * unfinished ones redone, and the target ends with every source row exactly once.
 */
class ResumeTest {
  private static final String YAML = """
      distribute:
        - companies using id
      tables:
        exclude: [ { name: notes } ]
      load:
        partitions-per-table: 30
      """;

  private static final List<String> TABLES = List.of("companies", "campaigns", "ads", "clicks", "impressions");

  @Test
  void killedRunResumesWithoutDuplicatesOrLoss(@TempDir Path dir) throws Exception {
    String src = source("resume_src");
    String dst = TestPostgres.freshDatabase("resume_dst");
    Path config = config(dir, src, dst);

    killMidway(config, dst, dir);
    // A table the run does not migrate may change: the tables it reads are the same.
    TestPostgres.execute(src, "INSERT INTO notes VALUES ('written after the kill')");

    MigrationConfig parsed = TestConfigs.onTestPostgres(src, dst, YAML).withPlainTarget();
    // A plain re-run over the half-finished target refuses, and says how to go on.
    ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(parsed));
    assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());

    MigrationSummary summary = Migrations.run(parsed, true, dir.resolve("rejects"));
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("the migrated tables were not written since the earlier run's snapshot"),
        summary::render);
    assertExact(src, dst);
  }

  /**
   * The source written between the kill and the resume: the resume refuses before writing anything,
   * naming what changed and what the earlier run holds; with --not-consistent it goes on and says so.
   */
  @Test
  void resumeRefusesASourceChangedSinceTheKill(@TempDir Path dir) throws Exception {
    String src = source("changed_src");
    String dst = TestPostgres.freshDatabase("changed_dst");
    Path config = config(dir, src, dst);
    long[] atKill = killMidway(config, dst, dir);
    TestPostgres.execute(src, "UPDATE companies SET name = name || ' (renamed)' WHERE id = (SELECT min(id) FROM"
        + " companies); INSERT INTO notes VALUES ('not migrated')");
    String before = targetState(dst);

    CliRun refused = CliRun.of("migrate", "--config", config.toString(), "--resume", "--rejects-dir",
        dir.resolve("rejects").toString(), "--summary-json", dir.resolve("s.json").toString());
    assertEquals(2, refused.exitCode(), refused::all);
    String message = refused.err();
    assertTrue(message.contains("--resume refused: the source changed since the earlier run's snapshot"), message);
    assertTrue(message.contains("moved): public.companies;"), message);
    assertTrue(!message.contains("public.notes"), "a table not migrated does not count: " + message);
    assertTrue(message.contains("the earlier run holds " + atKill[0] + " of " + atKill[1] + " partitions"), message);
    assertTrue(message.contains("load.include-drop: true") && message.contains("--not-consistent"), message);
    assertEquals(before, targetState(dst), "nothing written");

    CliRun accepted = CliRun.of("migrate", "--config", config.toString(), "--resume", "--not-consistent",
        "--rejects-dir", dir.resolve("rejects").toString(), "--summary-json", dir.resolve("s.json").toString());
    assertEquals(0, accepted.exitCode(), accepted::all);
    assertTrue(accepted.out().contains("NOT CONSISTENT (--not-consistent): the source changed"), accepted::all);
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.partitions WHERE NOT done"));
  }

  private static String source(String prefix) throws SQLException {
    String src = TestPostgres.freshDatabase(prefix);
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE) + "; CREATE TABLE notes (note text)");
    return src;
  }

  private static Path config(Path dir, String src, String dst) throws IOException {
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + TestPostgres.jdbcUrlWithUser(dst) + "'\n"
        + "  plain-postgresql: true\n" + YAML);
    return config;
  }

  /** The target's rows and run record, to tell whether anything was written. */
  private static String targetState(String dst) throws SQLException {
    StringBuilder state = new StringBuilder();
    for (String table : TABLES) {
      state.append(table).append(' ').append(TestPostgres.scalar(dst, "SELECT count(*) FROM " + table)).append('\n');
    }
    try (Connection c = TestPostgres.connect(dst)) {
      state.append(TestPostgres.rows(c, "SELECT string_agg(table_name || partition_no || done, ',' ORDER BY"
          + " table_name, partition_no) FROM pg2citus.partitions"));
      state.append(TestPostgres.rows(c, "SELECT string_agg(step || done_at, ',' ORDER BY step) FROM pg2citus.steps"));
    }
    return state.toString();
  }

  private static void assertExact(String src, String dst) throws SQLException {
    for (String table : TABLES) {
      assertEquals(TestPostgres.scalar(src, "SELECT count(*) FROM " + table),
          TestPostgres.scalar(dst, "SELECT count(DISTINCT id) FROM " + table),
          table + ": every source row");
      assertEquals(TestPostgres.scalar(dst, "SELECT count(DISTINCT id) FROM " + table),
          TestPostgres.scalar(dst, "SELECT count(*) FROM " + table),
          table + ": no row twice");
    }
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.partitions WHERE NOT done"));
  }

  /** Runs migrate in a child JVM and kills it (SIGKILL) once some, not all, partitions are done. */
  private static long[] killMidway(Path config, String dst, Path dir) throws Exception {
    ChildMigration.killWhen(config, dir, () -> {
      long[] progress = RunRecord.partitions(dst);
      return progress != null && progress[0] > 0;
    });
    long[] atKill = RunRecord.partitions(dst);
    assertTrue(atKill[0] > 0 && atKill[0] < atKill[1], "killed with some partitions done: " + atKill[0]);
    return atKill;
  }
}
