package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.ddl.Step;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data phase that fails after other tables are complete and have their keys: the run record
 * holds exactly the post-data statements that took effect, and {@code --resume} issues only the
 * rest, so every key, index, foreign key and check exists once and the run ends clean.
 *
 * <p>The failure is made to wait for the test: companies' names are of a domain whose check, on
 * the target only, waits for an advisory lock the test holds, then fails while a switch says so.
 * The gate lives in a schema whose only table a filter leaves out, so pg2citus does not carry the
 * source's.
 */
class PostDataResumeTest {
  private static final String SOURCE = """
      CREATE SCHEMA gates;
      CREATE TABLE gates.left_out (id int);
      CREATE FUNCTION gates.gate(text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
      CREATE DOMAIN gated_text AS text CHECK (gates.gate(VALUE));
      CREATE TABLE companies (id bigint PRIMARY KEY, name gated_text NOT NULL);
      CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id),
          name text NOT NULL);
      CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id), name text NOT NULL,
          CONSTRAINT ads_name_check CHECK (name <> ''));
      CREATE INDEX ads_name_idx ON ads (name);
      CREATE TABLE clicks (id bigint PRIMARY KEY, ad_id bigint REFERENCES ads (id), note text);
      INSERT INTO companies SELECT i, 'company ' || i FROM generate_series(1, 5) i;
      INSERT INTO campaigns SELECT i, 1 + i % 5, 'campaign ' || i FROM generate_series(1, 20) i;
      INSERT INTO ads SELECT i, 1 + i % 20, 'ad ' || i FROM generate_series(1, 60) i;
      INSERT INTO clicks SELECT i, 1 + i % 60, 'click ' || i FROM generate_series(1, 2000) i;
      """;
  /** The target's gate: it waits for lock 42, then fails while {@code gate_switch.fail} is set. */
  private static final String TARGET_GATE = """
      CREATE TABLE gate_switch (fail boolean NOT NULL);
      INSERT INTO gate_switch VALUES (false);
      CREATE SCHEMA gates;
      CREATE FUNCTION gates.gate(text) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(42);
        IF (SELECT fail FROM gate_switch) THEN
          RAISE EXCEPTION 'the gate is closed for %', $1;
        END IF;
        RETURN true;
      END $$;
      """;
  private static final String YAML = """
      tables:
        exclude: [gates.left_out]
      distribute:
        - companies using id
      load:
        include-drop: true
      """;

  @Test
  void aFailedLoadKeepsTheKeysItBuiltAndResumeIssuesOnlyTheRest(@TempDir Path rejects) throws Exception {
    String src = TestPostgres.freshDatabase("postdata_resume_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestPostgres.freshDatabase("postdata_resume_dst");
    TestPostgres.execute(dst, TARGET_GATE);
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, YAML).withPlainTarget();

    MigrationSummary failed;
    ExecutorService background = Executors.newSingleThreadExecutor();
    try (Connection gate = TestPostgres.connect(dst); Statement st = gate.createStatement()) {
      st.execute("SELECT pg_advisory_lock(42)");
      Future<MigrationSummary> run = background.submit(() -> Migrations.run(config, false, rejects));
      awaitSomeKeys(dst, run);
      st.execute("UPDATE gate_switch SET fail = true");
      st.execute("SELECT pg_advisory_unlock(42)");
      failed = run.get(120, TimeUnit.SECONDS);
    } finally {
      background.shutdownNow();
    }

    assertFalse(failed.ok(), failed::render);
    assertTrue(errors(failed, "data").contains("the gate is closed"), failed::render);
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.partitions"
        + " WHERE table_name = 'public.companies' AND done"), "companies is not loaded");
    Set<String> recorded = recordedObjects(dst);
    assertFalse(recorded.isEmpty(), failed::render);
    assertEquals(existingObjects(dst), recorded, "what the record holds, and only that, took effect");
    assertFalse(recorded.contains("campaigns_company_id_fkey"), "the foreign key to companies waits for its rows");
    long done = TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.post_data");

    TestPostgres.execute(dst, "UPDATE gate_switch SET fail = false");
    MigrationSummary resumed = Migrations.run(config, true, rejects);

    assertTrue(resumed.ok(), resumed::render);
    assertTrue(resumed.render().contains("note: " + done + " post-data statements done by the earlier run were"
        + " not issued again"), resumed::render);
    int planned = SchemaTool.load(config).scripts().postData().tasks().size();
    assertEquals(planned, TestPostgres.scalar(dst, "SELECT count(DISTINCT statement) FROM pg2citus.post_data"));
    assertEquals(planned, TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.post_data"), "each once");
    String ref = TestPostgres.freshDatabase("postdata_resume_ref");
    TestPostgres.execute(ref, TARGET_GATE);
    SchemaDefinitions.buildSerially(TestConfigs.onTestPostgres(src, ref, YAML).withPlainTarget());
    assertEquals(SchemaDefinitions.of(TestPostgres.connect(ref)), SchemaDefinitions.of(TestPostgres.connect(dst)));
  }

  /** Waits until the run has built a primary key while companies waits at the gate. */
  private static void awaitSomeKeys(String dst, Future<MigrationSummary> run) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline && !run.isDone()) {
      if (TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('pg2citus.post_data')") > 0
          && TestPostgres.scalar(dst, "SELECT count(*) FROM pg2citus.post_data WHERE step = '"
              + Step.PRIMARY_KEY.label() + "'") > 0) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(run.isDone() ? "the run ended before the gate opened:\n" + run.get().render()
        : "no primary key was built while companies waited");
  }

  private static String errors(MigrationSummary summary, String phase) {
    return summary.phases().stream().filter(p -> p.name().equals(phase)).flatMap(p -> p.errors().stream())
        .reduce("", String::concat);
  }

  /** The constraint or index each recorded statement creates (ANALYZE creates none). */
  private static Set<String> recordedObjects(String db) throws SQLException {
    return strings(db, "SELECT split_part(subject, ' ', 2) FROM pg2citus.post_data WHERE step <> '"
        + Step.ANALYZE.label() + "'");
  }

  /** The constraints and indexes of the migrated tables; NOT NULL is part of the table, not one of these. */
  private static Set<String> existingObjects(String db) throws SQLException {
    return strings(db, "SELECT conname FROM pg_constraint WHERE conrelid IN ('companies'::regclass,"
        + " 'campaigns'::regclass, 'ads'::regclass, 'clicks'::regclass)"
        + " UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
  }

  private static Set<String> strings(String db, String sql) throws SQLException {
    Set<String> result = new TreeSet<>();
    try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        result.add(rs.getString(1));
      }
    }
    return result;
  }
}
