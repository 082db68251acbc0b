package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigOptions;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: output, exit codes, and errors that name what is wrong. */
class Pg2CitusCliTest {
  /** A target user without CREATE on schema public (and, unless granted, on the database). */
  private static final String NO_CREATE = "pg2citus_no_create";


  /** A configuration file from source to a plain PostgreSQL target on the test server, and {@code yaml}. */
  private static Path plainConfig(Path file, String src, String dst, String yaml) throws IOException {
    Files.writeString(file, """
        source:
          url: %s
        target:
          url: %s
          plain-postgresql: true
        """.formatted(TestPostgres.jdbcUrlWithUser(src), TestPostgres.jdbcUrlWithUser(dst)) + yaml);
    return file;
  }

  private static String tutorialSource() throws SQLException {
    String db = TestPostgres.freshDatabase("cli_src");
    TestPostgres.execute(db, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE));
    return db;
  }

  @Test
  void planWithSourceTargetAndDistributeNeedsNoConfigFile() throws SQLException {
    String src = tutorialSource();
    CliRun run = CliRun.of("plan", "--source", TestPostgres.jdbcUrlWithUser(src), "--target",
        TestPostgres.jdbcUrlWithUser(TestPostgres.freshDatabase("cli_plan_dst")), "--distribute", "companies using id");
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("5 distributed in 1 colocation group"), run.out());
    assertTrue(run.out().contains("SELECT create_distributed_table('\"public\".\"ads\"', 'company_id', "
        + "colocate_with => '\"public\".\"companies\"');"), run.out());
    assertTrue(run.out().contains("PRIMARY KEY (\"company_id\", id);"), run.out());
  }

  @Test
  void planPrintsEveryTablesWritePathAndWhyUnderAuto(@TempDir Path dir) throws SQLException, IOException {
    String src = tutorialSource();
    TestPostgres.execute(src, "CREATE TABLE countries (code text PRIMARY KEY);"
        + " CREATE TABLE prices (amount numeric, label text);");
    Path config = Files.writeString(dir.resolve("auto.yaml"), """
        source:
          url: %s
        target:
          url: %s
        distribute:
          - companies using id
          - countries as reference table
          - prices using amount
        load:
          write-path: auto
        """.formatted(TestPostgres.jdbcUrlWithUser(src),
        TestPostgres.jdbcUrlWithUser(TestPostgres.freshDatabase("cli_auto_dst"))));
    CliRun run = CliRun.of("plan", "--config", config.toString());
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("Write paths (load.write-path: auto): 5 of 7 tables straight into shards"), run.out());
    for (String table : List.of("companies", "campaigns", "ads", "clicks", "impressions")) {
      assertTrue(run.out().matches("(?s).*\\n\\s+public\\." + table
          + "\\s+shards\\s+hash of (id|company_id) \\(bigint\\) computed by pg2citus.*"),
          table + " on the shard path, with why: " + run.out());
    }
    assertTrue(run.out().matches("(?s).*\\n\\s+public\\.countries\\s+coordinator\\s+reference table: a placement on"
        + " every node.*"), run.out());
    assertTrue(run.out().matches("(?s).*\\n\\s+public\\.prices\\s+coordinator\\s+distribution column type numeric"
        + " is hashed by the coordinator.*"), run.out());
  }

  @Test
  void createAndFinalizeOnAPlainTargetReportEachPhase(@TempDir Path dir) throws SQLException, IOException {
    String src = tutorialSource();
    String dst = TestPostgres.freshDatabase("cli_dst");
    Path config = plainConfig(dir.resolve("plain.yaml"), src, dst, """
        distribute:
          - companies using id
        """);
    CliRun create = CliRun.of("create", "--config", config.toString());
    assertEquals(ExitCodes.OK, create.exitCode(), create.out() + create.err());
    assertTrue(create.out().contains("distribution skipped"), create.out());
    assertTrue(create.out().matches("(?s).*tables\\s+5\\s+0\\s.*"), create.out());
    CliRun finalize = CliRun.of("finalize", "--config", config.toString());
    assertEquals(ExitCodes.OK, finalize.exitCode(), finalize.out() + finalize.err());
    assertTrue(finalize.out().matches("(?s).*foreign keys\\s+4\\s+0\\s.*"), finalize.out());
    // A second create without include-drop is refused before its first statement, naming the remedy.
    CliRun again = CliRun.of("create", "--config", config.toString());
    assertEquals(ExitCodes.BAD_INPUT, again.exitCode(), again.out() + again.err());
    assertTrue(again.err().contains("has 5 of the tables already") && again.err().contains("load.include-drop"),
        again.err());
  }

  @Test
  void rejectedRowsAloneEndTheRunWithExitCode4AndSayWhereTheyAre(@TempDir Path dir) throws SQLException, IOException {
    TwoRejectedRows dbs = TwoRejectedRows.create("cli_reject");
    Path config = plainConfig(dir.resolve("reject.yaml"), dbs.source(), dbs.target(), """
        load:
          data-only: true
          on-error: reject
        """);
    Path json = dir.resolve("summary.json");
    CliRun run = CliRun.of("migrate", "--config", config.toString(), "--rejects-dir", dir.resolve("rejects").toString(),
        "--summary-json", json.toString());

    assertEquals(ExitCodes.ROWS_REJECTED, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("rejected rows: 2 in " + dir.resolve("rejects").resolve("public.items.dat")), run.out());
    assertTrue(run.out().contains("migration complete except for 2 rejected rows (reject files above); exit code 4"),
        run.out());
    assertFalse(run.out().contains("NOT complete"), run.out());
    String summary = Files.readString(json);
    assertTrue(summary.contains("\"outcome\" : \"rows-rejected\""), summary);
    assertEquals(2, Files.readAllLines(dir.resolve("rejects").resolve("public.items.dat")).size());
  }

  @Test
  void badConfigurationNamesFileLineAndKey(@TempDir Path dir) throws IOException {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, """
        source:
          url: jdbc:postgresql://127.0.0.1:1/nowhere
        target:
          url: jdbc:postgresql://127.0.0.1:1/nowhere
        load:
          batch-rows: lots
        """);
    CliRun run = CliRun.of("plan", "--config", config.toString());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
    assertTrue(run.err().contains("bad.yaml:6: load.batch-rows: expected a whole number, got 'lots'"), run.err());
  }

  /** Filters that leave no table would otherwise migrate "0 tables" and call the migration complete. */
  @Test
  void tableFiltersThatLeaveNoTableAreBadInputNamingThem(@TempDir Path dir) throws SQLException, IOException {
    String dst = TestPostgres.freshDatabase("cli_nofilter_dst");
    Path config = plainConfig(dir.resolve("filters.yaml"), tutorialSource(), dst, """
        tables:
          exclude: [{schema: public}]
        """);
    for (List<String> command : List.of(List.of("plan"), List.of("migrate", "--summary-json",
        dir.resolve("s.json").toString(), "--rejects-dir", dir.resolve("rejects").toString()))) {
      List<String> args = new ArrayList<>(command);
      args.addAll(List.of("--config", config.toString()));
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.all());
      assertTrue(run.err().contains("the table filters leave no table of the source to migrate (")
          && run.err().contains("filters.yaml:7: tables.exclude[0]"), run.all());
    }
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE relname = 'companies'"),
        "nothing written");
  }

  @Test
  void unknownTableInARuleIsBadInput() throws SQLException {
    String src = tutorialSource();
    CliRun run = CliRun.of("plan", "--source", TestPostgres.jdbcUrlWithUser(src), "--target", TestPostgres.jdbcUrlWithUser(src),
        "--distribute", "compnies using id");
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
    assertTrue(run.err().contains("--distribute 'compnies using id'"), run.err());
    assertTrue(run.err().contains("table compnies does not exist in the source"), run.err());
  }

  @Test
  void passwordsNeverReachTheOutput() {
    CliRun run = CliRun.of("plan", "--source", "postgresql://alice:s3cret-pw@127.0.0.1:1/db",
        "--target", "jdbc:postgresql://127.0.0.1:1/db?password=other-s3cret");
    assertEquals(ExitCodes.DATABASE_ERROR, run.exitCode());
    assertTrue(run.err().contains("cannot connect to"), run.err());
    assertTrue(run.err().contains("refused"), "the reason is kept: " + run.err());
    assertFalse((run.out() + run.err()).contains("s3cret"), run.err());
  }

  @Test
  void aMigrationThatCannotReachItsTargetStillWritesItsSummary(@TempDir Path dir) throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("cli_unreachable_src");
    Path json = dir.resolve("summary.json");
    CliRun run = CliRun.of("migrate", "--source", TestPostgres.jdbcUrlWithUser(src), "--target",
        "jdbc:postgresql://127.0.0.1:1/db?user=app&password=other-s3cret", "--summary-json", json.toString(),
        "--rejects-dir", dir.resolve("rejects").toString());
    assertEquals(ExitCodes.DATABASE_ERROR, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("error (stopped): cannot connect to jdbc:postgresql://127.0.0.1:1/db"), run.out());
    assertTrue(run.out().contains("refused"), run.out());
    assertTrue(run.out().contains("target 127.0.0.1:1/db"), run.out());
    assertTrue(run.out().contains("migration NOT complete"), run.out());
    String summary = Files.readString(json);
    assertTrue(summary.contains("\"outcome\" : \"not-complete\""), summary);
    assertFalse((run.out() + run.err() + summary).contains("s3cret"), run.out() + run.err() + summary);
  }

  @Test
  void configReferenceListsEveryKey() {
    CliRun run = CliRun.of("config-reference");
    assertEquals(ExitCodes.OK, run.exitCode());
    ConfigOptions.ALL.forEach(o -> assertTrue(run.out().contains("`" + o.key() + "`"), o.key()));
  }

  // ---- pgloader command files

  @Test
  void planLoadRunsTheSeedFileAsItIsAndConvertGivesTheSamePlan(@TempDir Path dir) throws SQLException, IOException {
    String src = tutorialSource();
    String url = TestPostgres.jdbcUrlWithUser(src);
    String targetUrl = TestPostgres.jdbcUrlWithUser(TestPostgres.freshDatabase("cli_load_dst"));
    Path load = dir.resolve("hackathon.load");
    Files.writeString(load, EmbeddedDefault.resource("/dev/pg2citus/configs/hackathon.load"));
    CliRun plan = CliRun.of("plan", "--load", load.toString(), "--source", url, "--target", targetUrl);
    assertEquals(ExitCodes.OK, plan.exitCode(), plan.err());
    assertTrue(plan.out().contains("-- pgloader command file: reset no sequences: the target's sequences keep"),
        plan.out());
    assertTrue(plan.out().contains("5 distributed in 1 colocation group"), plan.out());

    CliRun convert = CliRun.of("convert", load.toString());
    assertEquals(ExitCodes.OK, convert.exitCode(), convert.err());
    assertTrue(convert.out().contains("  - companies using id\n"), convert.out());
    Path yaml = dir.resolve("hackathon.yaml");
    Files.writeString(yaml, convert.out());
    CliRun fromYaml = CliRun.of("plan", "--config", yaml.toString(), "--source", url, "--target", targetUrl);
    assertEquals(ExitCodes.OK, fromYaml.exitCode(), fromYaml.err());
    // The same plan and statements; only the notes and where the rule was written differ.
    assertTrue(plan.out().contains("(" + load + ":9:1: distribute)"), plan.out());
    String expected = plan.out().replaceAll("(?m)^-- pgloader command file: .*\n", "")
        .replace(load + ":9:1: distribute", yaml + ":LINE: distribute[0]");
    assertEquals(expected, fromYaml.out().replaceAll(":\\d+: distribute\\[0]", ":LINE: distribute[0]"));
  }

  @Test
  void aCommandFileSyntaxErrorNamesLineAndColumn(@TempDir Path dir) throws IOException {
    Path load = dir.resolve("bad.load");
    Files.writeString(load, """
        load database
          from pgsql://127.0.0.1:1/nowhere
          into pgsql://127.0.0.1:1/nowhere
        with include drop, batch rows = lots;
        """);
    for (String command : List.of("plan", "create", "finalize", "migrate")) {
      CliRun run = CliRun.of(command, "--load", load.toString());
      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), command);
      assertTrue(run.err().contains("bad.load:4:33: with batch rows: expected a whole number, got 'lots'"),
          command + ": " + run.err());
    }
    CliRun convert = CliRun.of("convert", load.toString());
    assertEquals(ExitCodes.BAD_INPUT, convert.exitCode());
    assertTrue(convert.err().contains("bad.load:4:33:"), convert.err());
  }

  @Test
  void configAndLoadAreOneOrTheOther(@TempDir Path dir) throws IOException {
    Path load = dir.resolve("a.load");
    Files.writeString(load, "load database from pgsql:///a into pgsql:///b;");
    CliRun run = CliRun.of("plan", "--load", load.toString(), "--config", load.toString());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
    assertTrue(run.err().contains("give either --config (YAML) or --load (a pgloader command file), not both"),
        run.err());
  }

  /**
   * A target user with CREATE on the database (for the run record) but not on schema public: refused
   * before anything is written, naming the GRANT; exit 2.
   */
  @Test
  void aTargetUserWithoutCreateOnTheSchemaIsRefusedWithTheGrant(@TempDir Path dir)
      throws SQLException, IOException {
    String src = noCreateSource();
    String dst = TestPostgres.freshDatabase("cli_nocreate_dst");
    TestPostgres.execute(dst, "GRANT CREATE ON DATABASE " + dst + " TO " + NO_CREATE);
    Path json = dir.resolve("summary.json");
    CliRun run = CliRun.of("migrate", "--config", noCreateConfig(dir, src, dst).toString(), "--summary-json", json.toString(),
        "--rejects-dir", dir.resolve("rejects").toString());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("may not create what create makes") && run.err().contains("GRANT CREATE ON SCHEMA"
        + " \"public\" TO"), run.err());
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE relname = 'items'"));
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pg2citus'"),
        "nothing was written");
  }

  /**
   * A target user without CREATE on the database, loading rows only into a table that exists: the
   * run record cannot be made; exit 3, naming both databases, the reason and the remedy.
   */
  @Test
  void aTargetUserWithoutCreateOnTheDatabaseIsToldToGrantIt(@TempDir Path dir) throws SQLException, IOException {
    String src = noCreateSource();
    String dst = TestPostgres.freshDatabase("cli_nocreate_dst");
    TestPostgres.execute(dst, "CREATE TABLE items (id integer PRIMARY KEY)");
    Path json = dir.resolve("summary.json");
    CliRun run = CliRun.of("migrate", "--config", noCreateConfig(dir, src, dst).toString(), "--data-only", "--summary-json",
        json.toString(), "--rejects-dir", dir.resolve("rejects").toString());
    assertEquals(ExitCodes.DATABASE_ERROR, run.exitCode(), run.out() + run.err());
    String port = String.valueOf(TestPostgres.server().port());
    assertTrue(run.out().contains("error (stopped): ERROR: permission denied for database " + dst + " (source "
        + "127.0.0.1:" + port + "/" + src + ", target 127.0.0.1:" + port + "/" + dst + "); grant the privilege"
        + " named above to the user pg2citus connects to the database as"), run.out());
    assertTrue(Files.readString(json).contains("permission denied for database"));
  }

  private static String noCreateSource() throws SQLException {
    String src = TestPostgres.freshDatabase("cli_nocreate_src");
    TestPostgres.execute(src, """
        CREATE TABLE items (id integer PRIMARY KEY);
        INSERT INTO items VALUES (1), (2);
        DO $$ BEGIN
          IF to_regrole('%1$s') IS NULL THEN CREATE ROLE %1$s LOGIN; END IF;
        END $$;
        """.formatted(NO_CREATE));
    return src;
  }

  /** The source as the superuser, the target as the user without CREATE. */
  private static Path noCreateConfig(Path dir, String src, String dst) throws IOException {
    return Files.writeString(dir.resolve("nocreate.yaml"), """
        source:
          url: %s
        target:
          url: %s?user=%s
          plain-postgresql: true
        """.formatted(TestPostgres.jdbcUrlWithUser(src), TestPostgres.jdbcUrl(dst), NO_CREATE));
  }
}
