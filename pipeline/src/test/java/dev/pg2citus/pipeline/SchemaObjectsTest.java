package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Routines, views on views, a materialized view with its index, and triggers reach the target as
 * the source defines them — the same {@code pg_get_*def} text on both sides — with their comments;
 * triggers do not fire on migrated rows but do on later writes; what is not carried is listed.
 */
class SchemaObjectsTest {
  private static final String FIXTURE = "/dev/pg2citus/pipeline/schema-objects.sql";
  /** Each carried object's definition as the catalog prints it, and its comment; one row each. */
  private static final String DEFINITIONS = """
      SELECT 'routine ' || p.oid::regprocedure || ': ' || pg_get_functiondef(p.oid) || ' -- '
             || coalesce(obj_description(p.oid, 'pg_proc'), '')
        FROM pg_proc p WHERE p.pronamespace = '"Shop"'::regnamespace AND p.prokind <> 'a'
      UNION ALL
      SELECT c.relkind::text || ' ' || c.oid::regclass || coalesce(array_to_string(c.reloptions, ','), '') || ': '
             || pg_get_viewdef(c.oid, true) || ' -- ' || coalesce(obj_description(c.oid, 'pg_class'), '')
        FROM pg_class c WHERE c.relnamespace = '"Shop"'::regnamespace AND c.relkind IN ('v', 'm')
      UNION ALL
      SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
       WHERE c.relnamespace = '"Shop"'::regnamespace AND c.relkind = 'm'
      UNION ALL
      SELECT 'trigger ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) || ' -- '
             || coalesce(obj_description(t.oid, 'pg_trigger'), '')
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = '"Shop"'::regnamespace AND NOT t.tgisinternal
      ORDER BY 1
      """;

  @Test
  void everyObjectArrivesAsDefinedAndTriggersWaitForTheLoad() throws Exception {
    String src = fixture();
    String dst = TestPostgres.freshDatabase("objects_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "").withPlainTarget();

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);

    List<String> source = rows(src, DEFINITIONS);
    assertEquals(11, source.size(), "the fixture's objects: " + source);
    assertEquals(source, rows(dst, DEFINITIONS), "every routine, view, index and trigger as the source has it");
    assertEquals(rows(src, "SELECT id || ' ' || code || ' ' || price || ' ' || touched FROM \"Shop\".items ORDER BY id"),
        rows(dst, "SELECT id || ' ' || code || ' ' || price || ' ' || touched FROM \"Shop\".items ORDER BY id"),
        "no trigger fired on a migrated row");
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM \"Shop\".audit"));
    assertEquals(rows(src, "SELECT band || ' ' || n FROM \"Shop\".price_bands ORDER BY 1"),
        rows(dst, "SELECT band || ' ' || n FROM \"Shop\".price_bands ORDER BY 1"), "the materialized view is filled");

    TestPostgres.execute(dst, "INSERT INTO \"Shop\".items (id, price) VALUES (1000, 5)");
    assertEquals(1, TestPostgres.scalar(dst, "SELECT touched FROM \"Shop\".items WHERE id = 1000"),
        "the trigger fires on writes after the migration");
    assertEquals("C-1", rows(dst, "SELECT code FROM \"Shop\".items WHERE id = 1000").get(0), "the default's function");

    String render = summary.render();
    for (String notCarried : List.of("aggregate \"Shop\".sum_sq(numeric)", "rule \"Shop\".audit no_audit_delete",
        "policy \"Shop\".items own_items")) {
      assertTrue(render.contains("not carried: " + notCarried), notCarried + " is listed:\n" + render);
    }
  }

  @Test
  void objectsThatNeedWhatIsLeftOutAreListedNotBroken() throws Exception {
    String src = TestPostgres.freshDatabase("objects_fsrc");
    TestPostgres.execute(src, """
        CREATE SCHEMA helpers;
        CREATE FUNCTION helpers.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE kept (id int PRIMARY KEY);
        CREATE TABLE left_out (id int PRIMARY KEY);
        CREATE FUNCTION count_left_out(l left_out) RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION kept_id(k kept) RETURNS int LANGUAGE sql AS 'SELECT k.id';
        CREATE TRIGGER kept_stamp BEFORE INSERT ON kept FOR EACH ROW EXECUTE FUNCTION helpers.stamp();
        INSERT INTO kept SELECT generate_series(1, 10);
        """);
    String dst = TestPostgres.freshDatabase("objects_fdst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, """
        tables:
          exclude: [left_out]
        """).withPlainTarget());

    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("not carried: function public.count_left_out(public.left_out): it uses a table"),
        summary::render);
    assertTrue(summary.render().contains("not carried: trigger kept_stamp ON public.kept: its function helpers.stamp()"),
        summary::render);
    assertEquals(1, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_proc WHERE proname = 'kept_id'"),
        "a function on a migrated table's row type is carried");
    assertEquals(10, TestPostgres.scalar(dst, "SELECT count(*) FROM kept"));
  }

  @Test
  void notCarriedErrorRefusesBeforeWritingAndNamesEveryObject() throws Exception {
    String src = fixture();
    String dst = TestPostgres.freshDatabase("objects_edst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "load:\n  not-carried: error\n").withPlainTarget();

    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(config));
    for (String notCarried : List.of("aggregate \"Shop\".sum_sq(numeric)", "rule \"Shop\".audit no_audit_delete",
        "policy \"Shop\".items own_items", "load.not-carried")) {
      assertTrue(refused.getMessage().contains(notCarried), refused.getMessage());
    }
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('Shop', 'pg2citus')"),
        "nothing was written");
  }

  @Test
  void onCitusTheObjectsArriveAndTheTriggerFiresOnTheDistributedTable() throws Exception {
    TestCitus.assumeAvailable();
    String src = fixture();
    // Citus refuses a function on a distributed table's row type ("circular dependencies between
    // distributed objects"): the README lists it among what Citus refuses.
    TestPostgres.execute(src, "DROP VIEW \"Shop\".\"Cheapest\"; DROP FUNCTION \"Shop\".total(\"Shop\".items)");
    // A trigger on a distributed table runs on the shard: it may change its row, not query other tables.
    TestPostgres.execute(src, "CREATE OR REPLACE FUNCTION \"Shop\".touch() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END $$");
    String dst = TestCitus.freshDatabase("objects_cdst");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(), """
        distribute:
          - '"Shop".items using id'
          - '"Shop".audit as reference table'
        """);

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertEquals(rows(src, DEFINITIONS), citusRows(dst, DEFINITIONS), "every object as the source has it");
    try (Connection c = TestCitus.connect(dst); Statement st = c.createStatement()) {
      st.execute("INSERT INTO \"Shop\".items (id, price) VALUES (1000, 5)");
    }
    assertEquals(List.of("1"), citusRows(dst, "SELECT touched::text FROM \"Shop\".items WHERE id = 1000"),
        "the trigger fires on the distributed table after the migration");
  }

  /** A source database holding the fixture. */
  private static String fixture() throws SQLException {
    String src = TestPostgres.freshDatabase("objects_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(FIXTURE));
    return src;
  }

  private static List<String> rows(String db, String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(db)) {
      return rows(c, sql);
    }
  }

  private static List<String> citusRows(String db, String sql) throws SQLException {
    try (Connection c = TestCitus.connect(db)) {
      return rows(c, sql);
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    return TestPostgres.rows(c, sql);
  }
}
