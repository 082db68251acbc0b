package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target URL that reaches the source database, however it is written, is refused by every command
 * that writes, before anything is written: exit 2, both URLs named with their passwords masked, and
 * the source exactly as it was. Another database of the source's server still migrates.
 */
class SourceNeverWrittenTest {
  private static final String ROLE = "pg2citus_source_guard";
  private static final String PASSWORD = "guard-Secret-42";
  private static final String SOURCE_TABLES = """
      CREATE TABLE items (id integer PRIMARY KEY, note text NOT NULL);
      CREATE TABLE "Line Items" (id integer PRIMARY KEY, item_id integer REFERENCES items (id));
      INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 100) i;
      INSERT INTO "Line Items" SELECT i, i FROM generate_series(1, 50) i;
      """;


  /** A configuration that drops the target's tables first: what would destroy a source taken for the target. */
  private static Path config(Path file, String sourceUrl, String targetUrl, boolean plain, String yaml)
      throws IOException {
    Files.writeString(file, """
        source:
          url: %s
        target:
          url: %s
          plain-postgresql: %s
        load:
          include-drop: true
        """.formatted(sourceUrl, targetUrl, plain) + yaml);
    return file;
  }

  /** The relations, constraints and every row of the source, as one text that changes with any write. */
  private static String fingerprint(Connection c) throws SQLException {
    return String.join("\n", TestPostgres.rows(c, """
        SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        UNION ALL SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ',' ORDER BY conname) FROM pg_constraint
          WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM items t
        UNION ALL SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM "Line Items" t
        """));
  }

  /** Each command that writes, run against a target that is the source: refused, and the source unchanged. */
  private static void assertEveryWriteRefused(Connection source, Path config, String... mustName) throws SQLException {
    String before = fingerprint(source);
    for (List<String> command : List.of(List.of("plan"), List.of("create"), List.of("migrate"),
        List.of("finalize"), List.of("migrate", "--resume"))) {
      CliRun run = CliRun.of(argsFor(command, config));
      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), command + ": " + run.all());
      assertTrue(run.err().contains("pg2citus never writes its source"), command + ": " + run.all());
      for (String name : mustName) {
        assertTrue(run.err().contains(name), command + " should name " + name + ": " + run.all());
      }
      assertFalse(run.all().contains(PASSWORD), command + " shows the password: " + run.all());
      assertEquals(before, fingerprint(source), command + " changed the source");
    }
    assertTrue(TestPostgres.rows(source, "SELECT nspname FROM pg_namespace WHERE nspname = 'pg2citus'").isEmpty(),
        "a run record was written on the source");
  }

  private static String[] argsFor(List<String> command, Path config) {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--config", config.toString()));
    if (command.get(0).equals("migrate")) {
      args.addAll(List.of("--rejects-dir", config.resolveSibling("rejects").toString(), "--summary-json",
          config.resolveSibling("summary.json").toString()));
    }
    return args.toArray(String[]::new);
  }

  private static String sourceDatabase(String prefix) throws SQLException {
    String db = TestPostgres.freshDatabase(prefix);
    TestPostgres.execute(db, SOURCE_TABLES);
    return db;
  }

  @Test
  void theSameUrlForBothIsRefusedWithBothUrlsMaskedAndTheSourceIntact(@TempDir Path dir) throws Exception {
    TestPostgres.passwordRole(ROLE, PASSWORD, "SUPERUSER");
    String db = sourceDatabase("guard_same");
    String url = TestPostgres.jdbcUrl(db) + "?user=" + ROLE + "&password=" + PASSWORD;
    Path config = config(dir.resolve("same.yaml"), url, url, true, "");
    try (Connection source = TestPostgres.connect(db)) {
      assertEveryWriteRefused(source, config, "password=***", "OID");
    }
  }

  @Test
  void anotherHostNameOfTheSameServerIsTheSource(@TempDir Path dir) throws Exception {
    String db = sourceDatabase("guard_host");
    String viaLocalhost = TestPostgres.jdbcUrlWithUser(db).replace("127.0.0.1", "localhost");
    Path config = config(dir.resolve("host.yaml"), TestPostgres.jdbcUrlWithUser(db), viaLocalhost, false,
        "distribute:\n  - items using id\n");
    try (Connection source = TestPostgres.connect(db)) {
      assertEveryWriteRefused(source, config, "localhost:" + TestPostgres.server().port(), "system identifier");
    }
  }

  @Test
  void anotherPortInFrontOfTheSameServerIsTheSource(@TempDir Path dir) throws Exception {
    String db = sourceDatabase("guard_port");
    try (Forwarder forwarder = new Forwarder(TestPostgres.server().port())) {
      String viaProxy = TestPostgres.jdbcUrlWithUser(db).replace(":" + TestPostgres.server().port() + "/",
          ":" + forwarder.port() + "/");
      Path config = config(dir.resolve("port.yaml"), TestPostgres.jdbcUrlWithUser(db), viaProxy, true, "");
      try (Connection source = TestPostgres.connect(db)) {
        assertEveryWriteRefused(source, config, ":" + forwarder.port() + "/", "system identifier");
      }
    }
  }

  /** A user that may not call pg_control_system(): the server is told by its start time and port instead. */
  @Test
  void withoutPgControlSystemTheServerIsToldByItsStartTimeAndPort(@TempDir Path dir) throws Exception {
    String db = sourceDatabase("guard_fallback");
    String user = "pg2citus_guard_plain";
    try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement()) {
      if (TestPostgres.rows(c, "SELECT 1 FROM pg_roles WHERE rolname = '" + user + "'").isEmpty()) {
        st.execute("CREATE ROLE " + user + " LOGIN");
      }
      st.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
      st.execute("GRANT ALL ON SCHEMA public TO " + user + "; GRANT ALL ON ALL TABLES IN SCHEMA public TO " + user);
    }
    String url = TestPostgres.jdbcUrl(db) + "?user=" + user;
    Path config = config(dir.resolve("fallback.yaml"), url, url.replace("127.0.0.1", "localhost"), true, "");
    try (Connection source = TestPostgres.connect(db)) {
      assertEveryWriteRefused(source, config, "started ", "port " + TestPostgres.server().port());
    }
  }

  @Test
  void anotherDatabaseOfTheSameServerMigratesAndThePlanSaysSo(@TempDir Path dir) throws Exception {
    String src = sourceDatabase("guard_other_src");
    String dst = TestPostgres.freshDatabase("guard_other_dst");
    Path config = config(dir.resolve("other.yaml"), TestPostgres.jdbcUrlWithUser(src), TestPostgres.jdbcUrlWithUser(dst),
        true, "");
    CliRun plan = CliRun.of("plan", "--config", config.toString());
    assertEquals(ExitCodes.OK, plan.exitCode(), plan.all());
    assertTrue(plan.out().contains("-- the target is another database (\"" + dst + "\") of the source's server"),
        plan.out());
    CliRun migrate = CliRun.of(argsFor(List.of("migrate"), config));
    assertEquals(ExitCodes.OK, migrate.exitCode(), migrate.all());
    assertEquals(100, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
  }

  /** The source's sessions are read-only: a write on one fails, whatever a bug or mix-up would send there. */
  @Test
  void everySessionOnTheSourceIsReadOnly() throws Exception {
    String db = sourceDatabase("guard_readonly");
    MigrationConfig config = ConfigLoader.fromEnvironment().parse("""
        source:
          url: %s
          properties:
            options: "-c default_transaction_read_only=off"
        target:
          url: %s
        """.formatted(TestPostgres.jdbcUrlWithUser(db), TestPostgres.jdbcUrlWithUser(db)), "test",
        new ConfigLoader.Overrides(null, null, List.of()));
    try (Connection c = config.source().open(); Statement st = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> st.execute("DROP TABLE items"));
      assertTrue(e.getMessage().contains("read-only transaction"), e.getMessage());
    }
    try (Connection c = config.target().open(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE written_on_target (id int)"); // the target's sessions may write
    }
  }

  @Test
  void theCitusCoordinatorAsSourceAndTargetIsRefused(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String db = TestCitus.freshDatabase("guard_citus");
    try (Connection c = TestCitus.connect(db); Statement st = c.createStatement()) {
      st.execute(SOURCE_TABLES);
      st.execute("SELECT create_distributed_table('items', 'id')");
    }
    String url = TestCitus.jdbcUrl(db) + "?user=" + TestCitus.user();
    Path config = config(dir.resolve("citus.yaml"), url, url, false, "distribute:\n  - items using id\n");
    try (Connection source = TestCitus.connect(db)) {
      assertEveryWriteRefused(source, config, "pg2citus never writes its source");
    }
  }

  /** A TCP port forwarded to the server, as a pooler or a second listener would be. */
  private static final class Forwarder implements AutoCloseable {
    private final ServerSocket listener;

    Forwarder(int to) throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        while (!listener.isClosed()) {
          try {
            Socket client = listener.accept();
            Socket server = new Socket(InetAddress.getLoopbackAddress(), to);
            pump(client.getInputStream(), server.getOutputStream(), server);
            pump(server.getInputStream(), client.getOutputStream(), client);
          } catch (IOException e) {
            return; // closed
          }
        }
      }, "forwarder");
      accept.setDaemon(true);
      accept.start();
    }

    private static void pump(InputStream in, OutputStream out, Socket closeAtEnd) {
      Thread t = new Thread(() -> {
        try (closeAtEnd) {
          in.transferTo(out);
        } catch (IOException e) {
          // the other side closed
        }
      }, "forwarder-pump");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
