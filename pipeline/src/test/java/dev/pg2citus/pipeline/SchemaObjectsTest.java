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
      UNION ALL
      SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn::regproc || ' '
             || format_type(a.aggtranstype, NULL) || ' ' || coalesce(a.agginitval, '-') || ' ' || p.proparallel::text
             || ' -- ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
        FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.pronamespace = '"Shop"'::regnamespace
      UNION ALL
      SELECT 'rule ' || pg_get_ruledef(r.oid, true) || ' -- ' || coalesce(obj_description(r.oid, 'pg_rewrite'), '')
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
       WHERE c.relnamespace = '"Shop"'::regnamespace AND r.rulename <> '_RETURN'
      UNION ALL
      SELECT 'policy ' || p.tablename || ' ' || p.policyname || ' ' || p.permissive || ' ' || p.roles::text || ' '
             || p.cmd || ' ' || coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '') || ' -- '
             || coalesce(obj_description(o.oid, 'pg_policy'), '')
        FROM pg_policies p JOIN pg_policy o ON o.polname = p.policyname AND o.polrelid = ('"Shop".' || p.tablename)::regclass
       WHERE p.schemaname = 'Shop'
      UNION ALL
      SELECT 'row security ' || c.oid::regclass || ' ' || c.relrowsecurity || ' ' || c.relforcerowsecurity
        FROM pg_class c WHERE c.relnamespace = '"Shop"'::regnamespace AND c.relkind = 'r'
      UNION ALL
      SELECT 'statistics ' || pg_get_statisticsobjdef(s.oid) || ' -- ' || coalesce(obj_description(s.oid, 'pg_statistic_ext'), '')
        FROM pg_statistic_ext s WHERE s.stxnamespace = '"Shop"'::regnamespace
      UNION ALL
      SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text || ' ' || coalesce((SELECT string_agg(
             pg_get_constraintdef(k.oid), ', ') FROM pg_constraint k WHERE k.contypid = t.oid), '')
        FROM pg_type t WHERE t.typnamespace = '"Shop"'::regnamespace AND t.typtype IN ('e', 'd')
      UNION ALL
      SELECT 'privileges ' || c.oid::regclass || ' ' || coalesce(c.relacl::text, 'default') || ' owner '
             || c.relowner::regrole
        FROM pg_class c WHERE c.relnamespace = '"Shop"'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S')
      UNION ALL
      SELECT 'privileges ' || p.oid::regprocedure || ' ' || coalesce(p.proacl::text, 'default') || ' owner '
             || p.proowner::regrole
        FROM pg_proc p WHERE p.pronamespace = '"Shop"'::regnamespace
      UNION ALL
      SELECT 'privileges schema ' || coalesce(n.nspacl::text, 'default') FROM pg_namespace n WHERE n.nspname = 'Shop'
      UNION ALL
      SELECT 'default privileges ' || pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text || ' '
             || d.defaclacl::text FROM pg_default_acl d WHERE d.defaclnamespace = '"Shop"'::regnamespace
      UNION ALL
      SELECT 'column privileges ' || a.attrelid::regclass || '.' || a.attname || ' ' || a.attacl::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = '"Shop"'::regnamespace AND a.attacl IS NOT NULL
      UNION ALL
      SELECT 'operator ' || o.oid::regoperator || ' ' || o.oprcode::regproc || ' ' || o.oprcom::regoperator || ' '
             || coalesce(obj_description(o.oid, 'pg_operator'), '')
        FROM pg_operator o WHERE o.oprnamespace = '"Shop"'::regnamespace
      UNION ALL
      SELECT 'cast ' || format_type(c.castsource, NULL) || ' ' || format_type(c.casttarget, NULL) || ' '
             || c.castmethod::text || c.castcontext::text || ' ' || coalesce(obj_description(c.oid, 'pg_cast'), '')
        FROM pg_cast c WHERE c.oid >= 16384
      UNION ALL
      SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ': ' || d.description
        FROM pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
       WHERE '"Shop"' IN (o.schema, o.identity)
      ORDER BY 1
      """;
  /** The roles the fixture's grants and owners name, on the server {@code c} is connected to. */
  private static void createRoles(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String role : List.of("shop_reader", "shop_owner")) {
        st.execute("DO $$ BEGIN IF to_regrole('" + role + "') IS NULL THEN CREATE ROLE " + role + "; END IF; END $$");
      }
    }
  }

  @Test
  void everyObjectArrivesAsDefinedAndTriggersWaitForTheLoad() throws Exception {
    String src = fixture();
    String dst = TestPostgres.freshDatabase("objects_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "").withPlainTarget();

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);

    List<String> source = rows(src, DEFINITIONS);
    assertEquals(56, source.size(), "the fixture's objects: " + source);
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
    assertTrue(render.contains("not carried: operator class \"Shop\".mood_hash_ops USING hash"), render);
  }

  @Test
  void objectsThatNeedWhatIsLeftOutAreListedNotBroken() throws Exception {
    String src = TestPostgres.freshDatabase("objects_fsrc");
    TestPostgres.execute(src, """
        CREATE SCHEMA helpers;
        CREATE TABLE helpers.unused (id int);
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
          exclude: [left_out, helpers.unused]
        """).withPlainTarget());

    assertTrue(summary.ok(), summary::render);
    List<String> notes = summary.phases().stream().flatMap(p -> p.notes().stream()).toList();
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("not carried: function public.count_left_out(public.left_out):"
        + " it uses a table")), notes::toString);
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("not carried: trigger kept_stamp ON public.kept: its function"
        + " helpers.stamp()")), notes::toString);
    assertEquals(1, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_proc WHERE proname = 'kept_id'"),
        "a function on a migrated table's row type is carried");
    assertEquals(10, TestPostgres.scalar(dst, "SELECT count(*) FROM kept"));
  }

  @Test
  void notCarriedErrorRefusesBeforeWritingAndNamesEveryObject() throws Exception {
    String src = fixture();
    TestPostgres.execute(src, """
        CREATE EXTENSION IF NOT EXISTS file_fdw;
        CREATE SERVER shop_files FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE "Shop".imports (line text) SERVER shop_files OPTIONS (filename '/dev/null');
        CREATE TEXT SEARCH DICTIONARY "Shop".shop_words (TEMPLATE = simple);
        CREATE TEXT SEARCH CONFIGURATION "Shop".shop_search (COPY = simple);
        CREATE OPERATOR FAMILY "Shop".mood_family USING btree;
        """);
    String dst = TestPostgres.freshDatabase("objects_edst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "load:\n  not-carried: error\n").withPlainTarget();

    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(config));
    for (String notCarried : List.of("operator class \"Shop\".mood_hash_ops USING hash",
        "foreign table \"Shop\".imports: foreign tables are not carried",
        "text search configuration \"Shop\".shop_search", "text search dictionary \"Shop\".shop_words",
        "operator family \"Shop\".mood_family USING btree",
        "load.not-carried")) {
      assertTrue(refused.getMessage().contains(notCarried), refused.getMessage());
    }
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('Shop', 'pg2citus')"),
        "nothing was written");
  }

  @Test
  void onCitusTheObjectsArriveAndTheTriggerFiresOnTheDistributedTable() throws Exception {
    TestCitus.assumeAvailable();
    String src = fixture();
    // A trigger on a distributed table runs on the shard: it may change its row, not query other tables.
    TestPostgres.execute(src, "CREATE OR REPLACE FUNCTION \"Shop\".touch() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END $$");
    String dst = TestCitus.freshDatabase("objects_cdst");
    try (Connection c = TestCitus.connect(dst)) {
      createRoles(c);
    }
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(), """
        distribute:
          - '"Shop".items using id'
          - '"Shop".audit as reference table'
        """);

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    // Citus refuses a function on a distributed table's row type, so it and the view calling it are
    // listed as not carried (each in the summary's JSON; its table counts them); every other object is as
    // the source has it.
    List<String> notes = summary.phases().stream().flatMap(p -> p.notes().stream()).toList();
    assertTrue(notes.stream().anyMatch(n -> n.contains("not carried: function \"Shop\".total(\"Shop\".items): its"
        + " signature uses the row type of \"Shop\".items, which is distributed")), notes::toString);
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("not carried: view \"Shop\".\"Cheapest\": it uses"
        + " \"Shop\".total(\"Shop\".items)")), notes::toString);
    assertTrue(summary.render().contains("note: not carried: 3 (each in the JSON summary"), summary::render);
    TestPostgres.execute(src, "DROP VIEW \"Shop\".\"Cheapest\"; DROP FUNCTION \"Shop\".total(\"Shop\".items)");
    assertEquals(rows(src, DEFINITIONS), citusRows(dst, DEFINITIONS), "every other object as the source has it");
    assertEquals(List.of("1 1", "1 1"), citusRows(dst, "SELECT result FROM run_command_on_workers($$SELECT"
        + " (SELECT count(*) FROM pg_operator WHERE oprname = '===') || ' ' || (SELECT count(*) FROM pg_cast"
        + " WHERE castsource = '\"Shop\".mood'::regtype)$$)"), "the operator and the cast are on every worker");
    assertEquals(List.of("true", "true"), citusRows(dst, "SELECT result FROM run_command_on_workers($$SELECT"
        + " bool_and(a.attacl IS NOT NULL)::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        + " WHERE c.relnamespace = '\"Shop\"'::regnamespace AND c.relname ~ '^items_[0-9]+$'"
        + " AND a.attname = 'price'$$)"), "the column grants are on every shard");
    try (Connection c = TestCitus.connect(dst); Statement st = c.createStatement()) {
      st.execute("INSERT INTO \"Shop\".items (id, price) VALUES (1000, 5)");
    }
    assertEquals(List.of("1"), citusRows(dst, "SELECT touched::text FROM \"Shop\".items WHERE id = 1000"),
        "the trigger fires on the distributed table after the migration");
  }

  @Test
  void grantsAndOwnersForRolesTheTargetLacksAreNotedNotFailed() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("roles_src");
    TestPostgres.execute(src, """
        DO $$ BEGIN IF to_regrole('only_on_source') IS NULL THEN CREATE ROLE only_on_source; END IF; END $$;
        DO $$ BEGIN IF to_regrole('reader_on_source') IS NULL THEN CREATE ROLE reader_on_source; END IF; END $$;
        CREATE TABLE ledger (id int PRIMARY KEY);
        INSERT INTO ledger SELECT generate_series(1, 10);
        GRANT SELECT ON ledger TO reader_on_source;
        CREATE POLICY readers ON ledger FOR SELECT TO reader_on_source USING (id > 0);
        ALTER TABLE ledger OWNER TO only_on_source;
        """);
    String dst = TestCitus.freshDatabase("roles_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), "distribute:\n  - ledger using id\n"));

    assertTrue(summary.ok(), summary::render);
    String render = summary.render();
    assertTrue(render.contains("note: role reader_on_source is not on the target: GRANT SELECT ON TABLE"
        + " public.ledger TO reader_on_source skipped"), render);
    assertTrue(render.contains("note: role only_on_source is not on the target: ALTER TABLE public.ledger OWNER TO"
        + " only_on_source skipped"), render);
    assertTrue(render.contains("note: a role of policy readers ON public.ledger (reader_on_source) is not on the"
        + " target: the policy is skipped"), render);
    assertEquals(List.of(TestCitus.user() + " 10"), citusRows(dst,
        "SELECT relowner::regrole || ' ' || (SELECT count(*) FROM ledger) FROM pg_class WHERE oid = 'ledger'::regclass"));
  }

  /** A source database holding the fixture. */
  private static String fixture() throws SQLException {
    String src = TestPostgres.freshDatabase("objects_src");
    try (Connection c = TestPostgres.connect(src)) {
      createRoles(c);
    }
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
