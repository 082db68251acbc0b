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
      load:
        partitions-per-table: 30
      """;

  @Test
  void killedRunResumesWithoutDuplicatesOrLoss(@TempDir Path dir) throws Exception {
    String src = TestPostgres.freshDatabase("resume_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
    String dst = TestPostgres.freshDatabase("resume_dst");
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + TestPostgres.jdbcUrlWithUser(dst) + "'\n"
        + "  plain-postgresql: true\n" + YAML);

    long[] atKill = killMidway(config, dst, dir);
    assertTrue(atKill[0] > 0 && atKill[0] < atKill[1], "killed with some partitions done: " + atKill[0]);

    MigrationConfig parsed = TestConfigs.onTestPostgres(src, dst, YAML).withPlainTarget();
    // A plain re-run over the half-finished target refuses, and says how to go on.
    ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(parsed));
    assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());

    MigrationSummary summary = Migrations.run(parsed, true, dir.resolve("rejects"));
    assertTrue(summary.ok(), summary::render);
    for (String table : List.of("companies", "campaigns", "ads", "clicks", "impressions")) {
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
    return RunRecord.partitions(dst);
  }
}
