package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a database holds besides its tables reaches the target or is named before anything is
 * written: large objects, extensions no table needs, schemas without tables and their views,
 * database and per-role settings; with a table filter, the foreign keys and routines that need a
 * table left out are listed, not carried broken.
 */
class ObjectsCarriedTest {
  private static final String ROLES = """
      DO $$ BEGIN IF to_regrole('lo_owner') IS NULL THEN CREATE ROLE lo_owner; END IF; END $$;
      DO $$ BEGIN IF to_regrole('lo_reader') IS NULL THEN CREATE ROLE lo_reader; END IF; END $$;
      """;
  private static final String SOURCE = ROLES + """
      CREATE TABLE documents (id int PRIMARY KEY, body oid NOT NULL);
      SELECT lo_from_bytea(424242, decode(repeat('ab', 1500000), 'hex'));
      SELECT lo_from_bytea(424243, convert_to('a small one', 'UTF8'));
      SELECT lo_create(424244);
      ALTER LARGE OBJECT 424243 OWNER TO lo_owner;
      GRANT SELECT ON LARGE OBJECT 424243 TO lo_reader;
      COMMENT ON LARGE OBJECT 424242 IS 'the big one';
      INSERT INTO documents VALUES (1, 424242), (2, 424243), (3, 424244);
      CREATE SCHEMA words;
      CREATE EXTENSION citext SCHEMA words;
      CREATE SCHEMA foo;
      CREATE MATERIALIZED VIEW foo.matview_1 AS SELECT count(*) AS n FROM public.documents;
      CREATE VIEW foo.small AS SELECT id FROM public.documents WHERE id < 3;
      CREATE FUNCTION foo.twice(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * i';
      CREATE SCHEMA empty_one;
      """;

  @Test
  void largeObjectsExtensionsTablelessSchemasAndSettingsArrive() throws Exception {
    String src = TestPostgres.freshDatabase("carried_src");
    TestPostgres.execute(src, SOURCE);
    TestPostgres.execute(src, "ALTER DATABASE " + src + " SET search_path = foo, \"$user\", public;"
        + " ALTER DATABASE " + src + " SET work_mem = '12MB';"
        + " ALTER ROLE lo_reader IN DATABASE " + src + " SET statement_timeout = '5s'");
    String dst = TestPostgres.freshDatabase("carried_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "").withPlainTarget();

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    List<String> source = WholeDatabase.of(src);
    assertTrue(source.stream().anyMatch(l -> l.startsWith("extension citext words")), source::toString);
    assertTrue(source.stream().anyMatch(l -> l.startsWith("large object 424243 owner lo_owner")), source::toString);
    assertTrue(source.stream().anyMatch(l -> l.startsWith("setting lo_reader statement_timeout=5s")),
        source::toString);
    assertEquals(source, WholeDatabase.of(dst), "the target holds what the source holds");
    assertEquals(3, TestPostgres.scalar(dst, "SELECT n FROM foo.matview_1"), "the materialized view is filled");
    assertTrue(summary.render().contains("3 large objects copied (1500011 bytes)"), summary::render);

    // Run again, the step finds each object there with its contents and writes only the one that differs.
    TestPostgres.execute(dst, "SELECT lo_put(424243, 0, convert_to('changed', 'UTF8'))");
    SchemaTool tool = SchemaTool.load(config);
    PhaseReport again = new LargeObjectCopy(config, tool.scripts()).run(null);
    assertEquals(List.of("1 large objects copied (11 bytes), 2 already on the target with the same contents"),
        again.notes(), again::render);
    assertEquals(source, WholeDatabase.of(dst));
  }

  @Test
  void anExtensionNoTableUsesThatTheTargetRefusesIsNotedNotFailed() throws Exception {
    String src = TestPostgres.freshDatabase("refused_ext_src");
    TestPostgres.execute(src, "CREATE SCHEMA geo; CREATE EXTENSION cube SCHEMA geo;"
        + " CREATE TABLE places (id int PRIMARY KEY); INSERT INTO places VALUES (1)");
    String dst = TestPostgres.freshDatabase("refused_ext_dst");
    TestPostgres.execute(dst, "CREATE SCHEMA geo; CREATE TYPE geo.cube AS (x int)"); // in the extension's way
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, "").withPlainTarget());

    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("note: not carried: extension cube (no migrated table uses it), which the"
        + " target refused: type \"cube\" already exists"), summary::render);
    assertEquals(1, TestPostgres.scalar(dst, "SELECT count(*) FROM places"));
  }

  @Test
  void largeObjectsReachTheCitusCoordinator() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("carried_csrc");
    TestPostgres.execute(src, SOURCE);
    TestPostgres.execute(src, "ALTER DATABASE " + src + " SET search_path = foo, public;"
        + " ALTER ROLE lo_reader IN DATABASE " + src + " SET work_mem = '8MB'");
    String dst = TestCitus.freshDatabase("carried_cdst");
    try (Connection c = TestCitus.connect(dst)) {
      c.createStatement().execute(ROLES);
    }
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), "distribute:\n  - documents using id\n"));
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(WholeDatabase.of(src), WholeDatabase.of(c),
          "large objects, extension, views and settings on the coordinator");
      assertEquals(List.of("3"), TestPostgres.rows(c, "SELECT count(*) FROM documents d"
          + " JOIN pg_largeobject_metadata m ON m.oid = d.body"), "every row points at its large object");
    }
  }

  private static final String FILTERED = """
      CREATE TABLE film (film_id int PRIMARY KEY, title text);
      CREATE TABLE inventory (inventory_id int PRIMARY KEY, film_id int REFERENCES film);
      CREATE TABLE rental (rental_id int PRIMARY KEY, inventory_id int NOT NULL,
                           CONSTRAINT rental_inventory_id_fkey FOREIGN KEY (inventory_id) REFERENCES inventory);
      CREATE FUNCTION film_in_stock(p_film_id int) RETURNS SETOF int LANGUAGE sql AS
        $$ SELECT inventory_id FROM inventory WHERE film_id = $1 $$;
      CREATE FUNCTION get_balance(p int) RETURNS int LANGUAGE plpgsql AS
        $$ BEGIN RETURN (SELECT count(*) FROM rental r JOIN "inventory" i USING (inventory_id) WHERE r.rental_id = p); END $$;
      CREATE FUNCTION stock_count() RETURNS bigint LANGUAGE sql RETURN (SELECT count(*) FROM inventory);
      CREATE FUNCTION rentals() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM rental';
      CREATE VIEW in_stock AS SELECT f.film_id, film_in_stock(f.film_id) AS inventory_id FROM film f;
      CREATE SCHEMA archive;
      CREATE TABLE archive.old_rentals (id int);
      CREATE FUNCTION archive.purge() RETURNS void LANGUAGE sql AS 'SELECT 1';
      INSERT INTO film VALUES (1, 'a'); INSERT INTO inventory VALUES (1, 1); INSERT INTO rental VALUES (1, 1);
      """;

  @Test
  void aTableFilterListsTheKeysAndRoutinesItCuts() throws Exception {
    String src = TestPostgres.freshDatabase("filtered_src");
    TestPostgres.execute(src, FILTERED);
    String yaml = "tables:\n  include: [film, rental]\n";
    String dst = TestPostgres.freshDatabase("filtered_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, yaml).withPlainTarget());

    assertTrue(summary.ok(), summary::render);
    // The summary groups notes of a kind; each is in its phase's notes.
    String render = String.join("\n", summary.phases().stream().flatMap(p -> p.notes().stream()).toList());
    List<String> listed = List.of(
        "not carried: foreign key rental_inventory_id_fkey ON public.rental: it references public.inventory,"
            + " which a table filter leaves out",
        "not carried: function public.film_in_stock(integer): its body names public.inventory",
        "not carried: function public.get_balance(integer): its body names public.inventory",
        "not carried: function public.stock_count(): it uses a table that is not migrated",
        "not carried: view public.in_stock: it uses public.film_in_stock(integer), which is not carried",
        "not carried: function archive.purge(): it is in schema archive, whose tables a table filter leaves out");
    listed.forEach(l -> assertTrue(render.contains(l), l + " in\n" + render));
    assertEquals(List.of("rentals"), TestPostgres.rows(TestPostgres.connect(dst),
        "SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace"),
        "the routine whose tables are migrated is carried");
    assertEquals(1, TestPostgres.scalar(dst, "SELECT public.rentals()"));

    String untouched = TestPostgres.freshDatabase("filtered_refused");
    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(TestConfigs.onTestPostgres(src,
        untouched, yaml + "load:\n  not-carried: error\n").withPlainTarget()));
    listed.forEach(l -> assertTrue(refused.getMessage().contains(l.substring("not carried: ".length())),
        l + " in\n" + refused.getMessage()));
    assertEquals(0, TestPostgres.scalar(untouched, "SELECT count(*) FROM pg_class WHERE relnamespace"
        + " IN ('public'::regnamespace, to_regnamespace('pg2citus'))"), "nothing was written");
  }
}
