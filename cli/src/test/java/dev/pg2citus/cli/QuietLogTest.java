package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a DBA watching {@code migrate} reads: by default a line per phase and per table loaded and the
 * summary; with {@code --verbose}, every statement. Run in a child JVM with the shipped logging
 * configuration, as a user runs it.
 */
class QuietLogTest {
  @Test
  void migrateSaysLittleByDefaultAndEveryStatementWithVerbose(@TempDir Path dir) throws Exception {
    String src = TestPostgres.freshDatabase("quiet_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE) + """
        INSERT INTO companies (name, created_at, updated_at) SELECT 'c' || i, now(), now()
          FROM generate_series(1, 20) i;
        INSERT INTO campaigns (company_id, name, cost_model, state, created_at, updated_at)
          SELECT 1 + i % 20, 'k' || i, 'cpc', 'on', now(), now() FROM generate_series(1, 200) i;
        INSERT INTO ads (campaign_id, name, created_at, updated_at)
          SELECT 1 + i % 200, 'a' || i, now(), now() FROM generate_series(1, 1000) i;
        """);

    List<String> quiet = migrate(dir.resolve("quiet"), src, List.of());
    String all = String.join("\n", quiet);
    assertTrue(quiet.size() <= 40, quiet.size() + " lines:\n" + all);
    assertTrue(all.contains("migration complete"), all);
    assertEquals(1, quiet.stream().filter(l -> l.contains(" INFO  public.ads: 1000 rows, ")).count(),
        "one line for the table when it is in:\n" + all);
    assertTrue(quiet.stream().anyMatch(l -> l.contains(" INFO  create: ") && l.contains(" statements in ")), all);
    assertFalse(all.contains("CREATE TABLE") || all.contains("ALTER TABLE"), "no statement by default:\n" + all);

    String verbose = String.join("\n", migrate(dir.resolve("verbose"), src, List.of("--verbose")));
    assertTrue(verbose.contains("[create] tables (") && verbose.contains("CREATE TABLE \"public\".\"companies\" ("),
        verbose);
    assertTrue(verbose.contains("ADD CONSTRAINT \"ads_pkey\" PRIMARY KEY"), verbose);
    // The tables' source owner is the migrating user: it owns what it creates, no statement is needed.
    assertFalse(verbose.contains("OWNER TO") || verbose.contains("is not on the target"), verbose);
  }

  /** Runs {@code migrate} from {@code src} into a fresh plain target in a child JVM; its output, both streams. */
  private static List<String> migrate(Path dir, String src, List<String> options) throws Exception {
    Files.createDirectories(dir);
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        source:
          url: %s
        target:
          url: %s
          plain-postgresql: true
        distribute:
          - companies using id
        """.formatted(TestPostgres.jdbcUrlWithUser(src),
        TestPostgres.jdbcUrlWithUser(TestPostgres.freshDatabase("quiet_dst"))));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
        "dev.pg2citus.cli.Pg2Citus", "migrate", "--config", config.toString(), "--rejects-dir",
        dir.resolve("rejects").toString(), "--summary-json", dir.resolve("s.json").toString()));
    command.addAll(options);
    Path log = dir.resolve("child.log");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(child.waitFor(5, TimeUnit.MINUTES), "migrate did not end");
    List<String> lines = Files.readAllLines(log);
    assertEquals(0, child.exitValue(), String.join("\n", lines));
    return lines;
  }
}
