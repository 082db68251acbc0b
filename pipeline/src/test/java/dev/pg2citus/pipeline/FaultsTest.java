package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Faults that are not lost connections, in the middle of a partition on a real server: a statement
 * timeout, a lock that cannot be taken within {@code lock_timeout}, a missing privilege. None is
 * retried; each stops the data phase naming the database, the table and partition, the server's
 * reason and what to do, and {@code --resume} after the fix gives every row exactly once.
 */
class FaultsTest {
  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
      INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 20000) i;
      """;
  private static final String ROWS = "SELECT sum(hashtext(id || payload)) FROM items";

  @Test
  void aStatementTimeoutStopsThePartitionNamingTheTimeoutAndResumeFinishesIt() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("fault_dst");
    // The target's COPY of the row 15000 takes longer than statement_timeout (the trigger fires also
    // under session_replication_role = replica).
    TestPostgres.execute(dst, """
        CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
        CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.id = 15000 THEN PERFORM pg_sleep(3); END IF; RETURN NEW; END $$;
        CREATE TRIGGER slow BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION slow();
        ALTER TABLE items ENABLE ALWAYS TRIGGER slow;
        """);
    Path rejects = Migrations.rejectsDir();
    MigrationSummary failed = Migrations.run(config(src, dst, TestPostgres.user(), "statement_timeout: 1s"),
        false, rejects);

    String error = dataError(failed);
    assertTrue(error.matches("(?s)the target 127\\.0\\.0\\.1:\\d+/" + dst + " refused a statement during"
        + " public\\.items partition \\d+: .*canceling statement due to statement timeout.*"), error);
    assertTrue(error.contains("raise statement_timeout") && error.contains("; then run migrate --resume to continue"),
        error);
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.retries"), "not retried");

    TestPostgres.execute(dst, "DROP TRIGGER slow ON items");
    assertResumed(src, dst, rejects);
  }

  @Test
  void aLockHeldByAnotherSessionStopsThePartitionAfterLockTimeoutAndResumeFinishesIt() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("fault_dst");
    TestPostgres.execute(dst, "CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL)");
    Path rejects = Migrations.rejectsDir();
    MigrationSummary failed;
    // SHARE lets pg2citus read the table (its checks before the load) but not write it.
    try (Connection other = TestPostgres.connect(dst); Statement st = other.createStatement()) {
      other.setAutoCommit(false);
      st.execute("LOCK TABLE items IN SHARE MODE");
      failed = Migrations.run(config(src, dst, TestPostgres.user(), "lock_timeout: 500ms"), false, rejects);
      other.rollback();
    }

    String error = dataError(failed);
    assertTrue(error.matches("(?s)the target 127\\.0\\.0\\.1:\\d+/" + dst + " refused a statement during"
        + " public\\.items partition \\d+: .*canceling statement due to lock timeout.*"), error);
    assertTrue(error.contains("pg_locks") && error.contains("; then run migrate --resume to continue"), error);
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM items"), "nothing committed under the lock");
    assertResumed(src, dst, rejects);
  }

  @Test
  void aTargetUserWithoutTheInsertPrivilegeIsToldToGrantIt() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("fault_dst");
    String role = "pg2citus_no_insert";
    TestPostgres.execute(dst, """
        DO $$ BEGIN
          IF to_regrole('%1$s') IS NULL THEN CREATE ROLE %1$s LOGIN; END IF;
        END $$;
        CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
        GRANT CREATE ON DATABASE "%2$s" TO %1$s;
        GRANT SELECT ON items TO %1$s;
        """.formatted(role, dst));
    Path rejects = Migrations.rejectsDir();
    MigrationSummary failed = Migrations.run(config(src, dst, role, null), false, rejects);

    String error = dataError(failed);
    assertTrue(error.matches("(?s)the target 127\\.0\\.0\\.1:\\d+/" + dst + " refused a statement during"
        + " public\\.items partition \\d+: .*permission denied for table items.*"), error);
    assertTrue(error.contains("grant the privilege") && error.contains("; then run migrate --resume to continue"),
        error);

    TestPostgres.execute(dst, "GRANT INSERT ON items TO " + role);
    MigrationSummary resumed = Migrations.run(config(src, dst, role, null), true, rejects);
    assertTrue(resumed.ok(), resumed::render);
    assertEquals(TestPostgres.scalar(src, ROWS), TestPostgres.scalar(dst, ROWS), "the same rows, each once");
  }

  private static String source() throws Exception {
    String src = TestPostgres.freshDatabase("fault_src");
    TestPostgres.execute(src, ITEMS);
    return src;
  }

  private static void assertResumed(String src, String dst, Path rejects) throws Exception {
    MigrationSummary resumed = Migrations.run(config(src, dst, TestPostgres.user(), null), true, rejects);
    assertTrue(resumed.ok(), resumed::render);
    assertEquals(TestPostgres.scalar(src, ROWS), TestPostgres.scalar(dst, ROWS), "the same rows, each once");
    assertEquals(20_000, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
  }

  /** Rows only, into the existing table, in two partitions, as {@code user} with a target {@code setting}. */
  private static MigrationConfig config(String src, String dst, String user, String setting) {
    String yaml = "source:\n  url: '" + TestPostgres.jdbcUrl(src) + "'\n  user: " + TestPostgres.user() + "\n"
        + "target:\n  url: '" + TestPostgres.jdbcUrl(dst) + "'\n  user: " + user + "\n  plain-postgresql: true\n"
        + (setting == null ? "" : "  settings: { " + setting + " }\n")
        + "load:\n  data-only: true\n  partitions-per-table: 2\n  batch-rows: 2000\n  analyze: false\n";
    return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "faults.yaml", ConfigLoader.Overrides.none());
  }

  /** The data phase's one error; the run did not complete. */
  private static String dataError(MigrationSummary summary) {
    assertFalse(summary.ok(), summary::render);
    List<String> errors = summary.phases().stream().filter(p -> p.name().equals("data")).findFirst()
        .orElseThrow(() -> new AssertionError(summary.render())).errors();
    assertEquals(1, errors.size(), summary::render);
    return errors.get(0);
  }
}
