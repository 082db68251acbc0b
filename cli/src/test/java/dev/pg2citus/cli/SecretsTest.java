package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password, given each way a user can — in the URL, in the YAML (as it is and as {@code ${VAR}}),
 * in {@code PGPASSWORD}, in {@code ~/.pgpass} or {@code PGPASSFILE} — never shows: not in a byte of
 * the command's stdout or stderr, its log file, its summary JSON, its reject files, any file it
 * writes (its temporary directory included), nor the run record on the target; while a run that
 * fails still says why. Each run is {@code pg2citus migrate} in a child JVM, as a user runs it.
 */
class SecretsTest {
  private static final String ROLE = "pg2citus_secret_role";
  /** The right password; the marker is a part of it that shows in every spelling (raw, URL-encoded). */
  private static final String PASSWORD = "Zq7s3cr3t@pw%x";
  private static final String WRONG = "Wr0ngZq7@pw";
  private static final List<String> MARKERS = List.of("Zq7s3cr3t", "Wr0ngZq7");
  private static final String SOURCE_ROWS = """
      CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL);
      CREATE TABLE tags (id integer PRIMARY KEY, item_id integer NOT NULL REFERENCES items (id));
      INSERT INTO items SELECT i, CASE WHEN i IN (4, 9) THEN 'much-too-long' ELSE 'c' || i END
          FROM generate_series(1, 50) i;
      INSERT INTO tags SELECT i, 1 + i % 50 FROM generate_series(1, 100) i;
      """;
  /** A target whose items.code is too short for two source rows, for the runs that reject or stop. */
  private static final String NARROW_TARGET = """
      CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL);
      CREATE TABLE tags (id integer PRIMARY KEY, item_id integer NOT NULL);
      """;
  private static final String FULL_LOAD = """
      load:
        include-drop: true
        partitions-per-table: 2
      """;

  private static String source;

  @TempDir
  Path dir;

  @BeforeAll
  static void passwordOnlyRoleAndSource() throws SQLException {
    TestPostgres.passwordRole(ROLE, PASSWORD, "SUPERUSER");
    source = TestPostgres.freshDatabase("secret_src");
    TestPostgres.execute(source, SOURCE_ROWS);
  }

  @Test
  void passwordInTheUrl() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    Run run = migrate(yaml(url(source) + "&password=" + encoded(PASSWORD), "", url(dst) + "&password="
        + encoded(PASSWORD), "", FULL_LOAD), Map.of());
    assertMigrated(run, dst);
  }

  @Test
  void passwordInTheYamlAsItIsAndFromAVariable() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    Run run = migrate(yaml(url(source), "  password: '" + PASSWORD + "'\n", url(dst),
        "  password: ${SECRET_TARGET_PASSWORD}\n", FULL_LOAD), Map.of("SECRET_TARGET_PASSWORD", PASSWORD));
    assertMigrated(run, dst);
  }

  @Test
  void passwordInPgPassword() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    Run run = migrate(yaml(url(source), "", url(dst), "", FULL_LOAD), Map.of("PGPASSWORD", PASSWORD));
    assertMigrated(run, dst);
  }

  @Test
  void passwordInTheHomeDirectorysPgpass() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    pgpass(dir.resolve("home").resolve(".pgpass"), PASSWORD);
    Run run = migrate(yaml(url(source), "", url(dst), "", FULL_LOAD), Map.of());
    assertMigrated(run, dst);
  }

  @Test
  void wrongPasswordInTheUrlSaysAuthenticationFailed() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    Run run = migrate(yaml(url(source) + "&password=" + encoded(WRONG), "", url(dst), "", FULL_LOAD),
        Map.of("PGPASSWORD", PASSWORD));
    assertCannotConnect(run);
  }

  @Test
  void wrongPasswordInPgpassFileSaysAuthenticationFailed() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    Path file = pgpass(dir.resolve("secrets").resolve("pgpass"), WRONG);
    Run run = migrate(yaml(url(source), "", url(dst), "", FULL_LOAD), Map.of("PGPASSFILE", file.toString()));
    assertCannotConnect(run);
  }

  /** The other commands that connect: plan, create and finalize, with the password in the URL and the YAML. */
  @Test
  void planCreateAndFinalize() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    String yaml = yaml(url(source) + "&password=" + encoded(PASSWORD), "", url(dst),
        "  password: '" + PASSWORD + "'\n", FULL_LOAD);
    Run plan = pg2citus(yaml, Map.of(), "plan");
    assertEquals(ExitCodes.OK, plan.exitCode(), plan.output());
    assertTrue(plan.stdout().contains("CREATE TABLE"), plan.output());
    assertNoOutputSecret(plan);
    for (String command : List.of("create", "finalize")) {
      Run run = pg2citus(yaml, Map.of(), command);
      assertEquals(ExitCodes.OK, run.exitCode(), run.output());
      assertNoOutputSecret(run);
    }
    assertEquals(1, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_constraint WHERE conname = 'tags_item_id_fkey'"));
  }

  /** Rows the target refuses: reject files and their logs hold the server's reason, not the password. */
  @Test
  void rejectedRowsWithThePasswordInTheUrlAndTheYaml() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    TestPostgres.execute(dst, NARROW_TARGET);
    Run run = migrate(yaml(url(source) + "&password=" + encoded(PASSWORD), "", url(dst),
        "  password: '" + PASSWORD + "'\n", "load:\n  data-only: true\n  on-error: reject\n"), Map.of());
    assertEquals(ExitCodes.ROWS_REJECTED, run.exitCode(), run.output());
    String log = Files.readString(run.out().resolve("rejects").resolve("public.items.log"));
    assertTrue(log.contains("value too long for type character varying(5)"), log);
    assertNoSecret(run, dst);
  }

  /** A run that stops on a refused row names the table and the server's reason. */
  @Test
  void stoppedRunWithThePasswordInPgPassword() throws Exception {
    String dst = TestPostgres.freshDatabase("secret_dst");
    TestPostgres.execute(dst, NARROW_TARGET);
    Run run = migrate(yaml(url(source), "", url(dst), "", "load:\n  data-only: true\n  on-error: stop\n"),
        Map.of("PGPASSWORD", PASSWORD));
    assertEquals(ExitCodes.PHASE_ERRORS, run.exitCode(), run.output());
    assertTrue(run.stdout().contains("public.items") && run.stdout().contains("value too long"), run.output());
    assertNoSecret(run, dst);
  }

  private record Run(int exitCode, String stdout, String stderr, Path out) {
    String output() {
      return stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  private void assertMigrated(Run run, String dst) throws Exception {
    assertEquals(ExitCodes.OK, run.exitCode(), run.output());
    assertEquals(50, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
    assertEquals(100, TestPostgres.scalar(dst, "SELECT count(*) FROM tags"));
    String log = Files.readString(run.out().resolve("pg2citus.log"));
    assertTrue(log.contains("public.items partition 0: "), "the log is captured:\n" + log);
    assertNoSecret(run, dst);
  }

  private void assertCannotConnect(Run run) throws Exception {
    assertEquals(ExitCodes.DATABASE_ERROR, run.exitCode(), run.output());
    assertTrue(run.stderr().contains("password authentication failed for user \"" + ROLE + "\""), run.output());
    assertTrue(run.stderr().contains("127.0.0.1:" + TestPostgres.server().port() + "/"), run.output());
    assertNoSecret(run, null);
  }

  /** No marker in stdout, stderr, or any file under the run's directory. */
  private static void assertNoOutputSecret(Run run) throws Exception {
    assertNoMarker(captured(run));
  }

  /**
   * No marker in stdout, stderr, any file under the run's directory, or the run record of {@code dst};
   * the log and the summary JSON were written.
   */
  private static void assertNoSecret(Run run, String dst) throws Exception {
    Map<String, String> captured = captured(run);
    assertTrue(captured.containsKey("pg2citus.log"), captured.keySet()::toString);
    assertTrue(captured.containsKey("pg2citus-summary.json"), captured.keySet()::toString);
    if (dst != null) {
      captured.putAll(runRecord(dst));
    }
    assertNoMarker(captured);
  }

  private static Map<String, String> captured(Run run) throws IOException {
    Map<String, String> captured = new LinkedHashMap<>();
    captured.put("stdout", run.stdout());
    captured.put("stderr", run.stderr());
    try (Stream<Path> files = Files.walk(run.out())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        captured.put(run.out().relativize(file).toString(),
            new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    return captured;
  }

  private static void assertNoMarker(Map<String, String> captured) {
    captured.forEach((where, text) -> {
      for (String marker : MARKERS) {
        if (text.contains(marker)) {
          fail("the password shows in " + where + ":\n" + text);
        }
      }
    });
  }

  /** Every row of every table of the run record, as text. */
  private static Map<String, String> runRecord(String dst) throws SQLException {
    Map<String, String> tables = new LinkedHashMap<>();
    try (Connection c = TestPostgres.connect(dst)) {
      List<String> names = TestPostgres.rows(c,
          "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'pg2citus'");
      assertTrue(!names.isEmpty(), "a run record on " + dst);
      for (String table : names) {
        tables.put("pg2citus." + table, String.join("\n",
            TestPostgres.rows(c, "SELECT t::text FROM pg2citus." + table + " t")));
      }
    }
    return tables;
  }

  /**
   * Runs {@code pg2citus migrate} in a child JVM with {@code yaml} and {@code env}: its working,
   * temporary and log directory is a fresh {@code out}, its home {@code home}, and its log at
   * DEBUG for pg2citus goes to stderr and to {@code out/pg2citus.log}.
   */
  private Run migrate(String yaml, Map<String, String> env) throws Exception {
    return pg2citus(yaml, env, "migrate", "--targetParallelism=2");
  }

  /** Runs {@code pg2citus command} with the configuration {@code yaml}, as {@link #migrate} does. */
  private Run pg2citus(String yaml, Map<String, String> env, String command, String... options) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Path out = Files.createDirectories(dir.resolve("out"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Path config = Files.writeString(secrets.resolve("run.yaml"), yaml);
    Path logback = Files.writeString(secrets.resolve("logback.xml"), """
        <configuration>
          <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
            <target>System.err</target>
            <encoder><pattern>%%d %%-5level %%logger %%msg%%n</pattern></encoder>
          </appender>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder><pattern>%%d %%-5level %%logger %%msg%%n</pattern></encoder>
          </appender>
          <logger name="dev.pg2citus" level="DEBUG"/>
          <logger name="org.postgresql" level="DEBUG"/>
          <root level="INFO">
            <appender-ref ref="STDERR"/>
            <appender-ref ref="FILE"/>
          </root>
        </configuration>
        """.formatted(out.resolve("pg2citus.log")));
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Duser.home=" + home,
        "-Djava.io.tmpdir=" + Files.createDirectories(out.resolve("tmp")),
        "-Dlogback.configurationFile=" + logback, "dev.pg2citus.cli.Pg2Citus", command, "--config",
        config.toString()));
    line.addAll(List.of(options));
    ProcessBuilder pb = new ProcessBuilder(line).directory(out.toFile())
        .redirectOutput(secrets.resolve("stdout").toFile()).redirectError(secrets.resolve("stderr").toFile());
    pb.environment().remove("PGPASSWORD");
    pb.environment().remove("PGPASSFILE");
    pb.environment().putAll(env);
    Process child = pb.start();
    if (!child.waitFor(180, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      fail(command + " did not end within 3 minutes");
    }
    return new Run(child.exitValue(), Files.readString(secrets.resolve("stdout")),
        Files.readString(secrets.resolve("stderr")), out);
  }

  private static String yaml(String sourceUrl, String sourceExtra, String targetUrl, String targetExtra,
      String rest) {
    return "source:\n  url: '" + sourceUrl + "'\n" + sourceExtra + "target:\n  url: '" + targetUrl + "'\n"
        + "  plain-postgresql: true\n" + targetExtra + rest;
  }

  private static String url(String database) {
    return TestPostgres.jdbcUrl(database) + "?user=" + ROLE;
  }

  private static String encoded(String password) {
    return URLEncoder.encode(password, StandardCharsets.UTF_8);
  }

  /** A password file for the role on the test server, readable by its owner only (as libpq wants it). */
  private static Path pgpass(Path file, String password) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "127.0.0.1:" + TestPostgres.server().port() + ":*:" + ROLE + ":" + password + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
