package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pg2citus status} against a target with no run, with a run going in another process (the
 * phase, the run that holds the target, per-table progress, rows/s and ETA, as text and JSON), after
 * that run was killed (where it stopped, and that {@code --resume} continues it), and once resumed to
 * the end. It reads the target only: no source is given.
 */
class StatusTest {
  private static final int ROWS = 60_000;

  @Test
  void showsNoRunARunGoingAKilledRunAndAFinishedOne(@TempDir Path dir) throws Exception {
    String src = TestPostgres.freshDatabase("status_src");
    TestPostgres.execute(src, """
        CREATE TABLE "Events" (id bigint PRIMARY KEY, payload text NOT NULL);
        INSERT INTO "Events" SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, %d) i;
        CREATE TABLE notes (id int PRIMARY KEY, note text);
        INSERT INTO notes SELECT i, 'note ' || i FROM generate_series(1, 100) i;
        ANALYZE;
        """.formatted(ROWS));
    String dst = TestPostgres.freshDatabase("status_dst");
    String target = TestPostgres.jdbcUrlWithUser(dst);

    CliRun none = CliRun.of("status", "--target", target);
    assertEquals(ExitCodes.OK, none.exitCode(), none::all);
    assertTrue(none.out().contains("no pg2citus run is recorded"), none::all);
    assertFalse(json(CliRun.of("status", "--target", target, "--json")).get("recorded").asBoolean());

    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + target + "'\n  plain-postgresql: true\nload:\n  partitions-per-table: 30\n  batch-rows: 500\n");
    CliRun[] live = new CliRun[2];
    ChildMigration.killWhen(config, dir, () -> {
      long[] p = RunRecord.partitions(dst);
      if (p == null || p[0] < 2 || p[1] - p[0] < 10) {
        return false;
      }
      live[0] = CliRun.of("status", "--target", target);
      live[1] = CliRun.of("status", "--config", config.toString(), "--json");
      return true;
    });

    String going = live[0].out();
    assertEquals(ExitCodes.OK, live[0].exitCode(), live[0]::all);
    assertTrue(going.contains("data phase, running: pg2citus migrate since"), going);
    assertTrue(going.matches("(?s).*public\\.\"Events\"\\s+\\d+/\\d+\\s.*"), "per-table progress: " + going);
    assertTrue(going.contains("rows/s") && going.contains("data phase ends in ~"), "rate and ETA: " + going);
    JsonNode goingJson = json(live[1]);
    assertEquals("data", goingJson.get("phase").asText());
    assertTrue(goingJson.get("running").asBoolean());
    assertTrue(goingJson.get("rowsWritten").asLong() > 0, goingJson::toString);
    assertNotNull(goingJson.get("dataEtaSeconds").numberValue(), goingJson::toString);
    assertFalse(live[0].all().contains("password"), live[0]::all);

    CliRun killed = CliRun.of("status", "--target", target);
    assertTrue(killed.out().contains("stopped in the data phase, no run is going: `pg2citus migrate --resume`"),
        killed::all);

    CliRun resumed = CliRun.of("migrate", "--resume", "--config", config.toString(), "--rejects-dir",
        dir.resolve("rejects").toString(), "--summary-json", dir.resolve("resumed.json").toString());
    assertEquals(ExitCodes.OK, resumed.exitCode(), resumed::all);
    CliRun finished = CliRun.of("status", "--target", target);
    assertTrue(finished.out().contains("finished (verified at"), finished::all);
    assertTrue(finished.out().matches("(?s).*public\\.\"Events\"\\s+(\\d+)/\\1\\s+60,000\\s+60,000\\s.*"), finished::all);
    JsonNode finishedJson = json(CliRun.of("status", "--target", target, "--json"));
    assertEquals("finished", finishedJson.get("phase").asText());
    assertFalse(finishedJson.get("running").asBoolean());
    assertEquals(ROWS + 100, finishedJson.get("rowsWritten").asLong());
  }

  private static JsonNode json(CliRun run) throws Exception {
    assertEquals(ExitCodes.OK, run.exitCode(), run::all);
    return new ObjectMapper().readTree(run.out());
  }
}
