package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Citus: a run record that claims keys the target lacks (dropped after the run built them) is
 * repaired by {@code --resume}, which checks the catalog, not only the record; and a resume started
 * with another distribution rule, another filter or another shard count than its run is refused
 * (exit 2) before anything is written, saying what changed and what to do.
 */
class ResumeMatchesItsRunTest {
  /** What the target holds: the run record's steps and statements, the constraints, the rows. */
  private static final String STATE = "SELECT (SELECT string_agg(step || done_at, ',' ORDER BY step) FROM"
      + " pg2citus.steps) || '|' || (SELECT count(*) FROM pg2citus.post_data) || '|' || (SELECT"
      + " string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace)"
      + " || '|' || (SELECT count(*) FROM ads) || '|' || (SELECT string_agg(relname, ',' ORDER BY relname) FROM"
      + " pg_class WHERE relnamespace = 'public'::regnamespace)";

  @Test
  void aResumeWithAnotherConfigurationIsRefusedAndTheSameOneRebuildsTheMissingKeys(@TempDir Path dir)
      throws Exception {
    TestCitus.assumeAvailable();
    String src = OneRunPerTargetTest.source();
    String dst = TestCitus.freshDatabase("resume_same_dst");
    Path config = OneRunPerTargetTest.config(dir, src, dst);
    CliRun first = OneRunPerTargetTest.migrate(config, dir, "first");
    assertEquals(ExitCodes.OK, first.exitCode(), first::all);

    // Someone drops keys the run record holds as built, and the run is taken as not verified.
    try (Connection c = TestCitus.connect(dst); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE campaigns DROP CONSTRAINT campaigns_pkey CASCADE"); // ads' key to it goes too
      st.execute("DELETE FROM pg2citus.steps WHERE step = 'VERIFIED'");
    }
    String before = state(dst);

    CliRun otherRule = resume(dir, "rule", src, dst, OneRunPerTargetTest.RULES
        .replace("  - ads using company_id from campaigns\n", ""));
    assertRefused(otherRule, "distribute differs: the earlier run had 'ads using company_id from campaigns'");
    assertEquals(before, state(dst), "nothing written");

    CliRun otherFilter = resume(dir, "filter", src, dst, OneRunPerTargetTest.RULES
        + "tables:\n  exclude:\n    - countries\n");
    assertRefused(otherFilter, "tables.exclude differs");
    assertTrue(otherFilter.err().contains("the plan no longer has public.countries"), otherFilter::all);
    assertEquals(before, state(dst), "nothing written");

    CliRun otherShards = resume(dir, "shards", src, dst, OneRunPerTargetTest.RULES + "citus:\n  shard-count: 8\n");
    assertRefused(otherShards, "citus.shard-count 32 → 8");
    assertEquals(before, state(dst), "nothing written");

    // The same configuration, by another path and with other workers: resumed, the keys built again.
    CliRun same = resume(dir, "same", src, dst, OneRunPerTargetTest.RULES.replace("batch-rows: 5000",
        "batch-rows: 7000\n  workers: 2"));
    assertEquals(ExitCodes.OK, same.exitCode(), same::all);
    OneRunPerTargetTest.assertExact(src, dst);
  }

  private static void assertRefused(CliRun run, String change) {
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run::all);
    assertTrue(run.err().contains("--resume refused") && run.err().contains(change)
        && run.err().contains("load.include-drop: true"), run::all);
    assertFalse(run.all().contains("Exception"), run::all);
  }

  private static CliRun resume(Path dir, String name, String src, String dst, String yaml) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + TestCitus.jdbcUrl(dst) + "?user=" + TestCitus.user() + "'\n" + yaml);
    return CliRun.of("migrate", "--resume", "--config", config.toString(), "--rejects-dir",
        dir.resolve("rejects-" + name).toString(), "--summary-json", dir.resolve(name + ".json").toString());
  }

  private static String state(String dst) throws Exception {
    try (Connection c = TestCitus.connect(dst)) {
      List<String> rows = TestPostgres.rows(c, STATE);
      return rows.get(0);
    }
  }
}
