package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rename rules ({@code rename.schemas}, {@code rename.tables}, pgloader's {@code alter schema} and
 * {@code alter table names matching}): the load runs under the source names and finalize renames
 * last, so keys, views, defaults and sequences follow; finalize, and a load into tables it does not
 * create, run again on the renamed target.
 */
class RenamesTest {
  private static final String SOURCE = """
      CREATE TYPE rating AS ENUM ('G', 'PG', 'R');
      CREATE SEQUENCE ticket_seq;
      SELECT setval('ticket_seq', 41);
      CREATE TABLE film (film_id serial PRIMARY KEY, title text NOT NULL, rating rating);
      CREATE TABLE actor (actor_id serial PRIMARY KEY, name text);
      CREATE TABLE film_actor (film_id int REFERENCES film, actor_id int REFERENCES actor,
                               PRIMARY KEY (film_id, actor_id));
      CREATE INDEX film_title ON film (title);
      CREATE TABLE "Odd Name" (id serial PRIMARY KEY, note text);
      CREATE TABLE rentals (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE rentals_2024 PARTITION OF rentals FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE FUNCTION label(r rating) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(r::text)';
      CREATE VIEW film_list AS
        SELECT f.title, a.name FROM film f JOIN film_actor fa USING (film_id) JOIN actor a USING (actor_id);
      CREATE FUNCTION film_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM film';
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;
      INSERT INTO film (title, rating) SELECT 'film ' || i, (ARRAY['G', 'PG', 'R'])[1 + i % 3]::rating
        FROM generate_series(1, 30) i;
      INSERT INTO actor (name) SELECT 'actor ' || i FROM generate_series(1, 10) i;
      INSERT INTO film_actor SELECT f, 1 + f % 10 FROM generate_series(1, 30) f;
      INSERT INTO "Odd Name" (note) VALUES ('one'), ('two');
      INSERT INTO rentals SELECT i, date '2024-01-01' + i FROM generate_series(1, 5) i;
      """;

  private static final String RENAMES = """
      rename:
        schemas:
          public: app
        tables:
          - table: film
            rename-to: films
          - name: Odd Name
            set-schema: Report S
      """;

  @Test
  void finalizeRenamesLastAndEverythingFollows() throws Exception {
    String src = TestPostgres.freshDatabase("ren_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestPostgres.freshDatabase("ren_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, RENAMES).withPlainTarget();

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("renamed last: 6 tables (the summary names them as the source does; the plan"
        + " lists each rename) and 5 other objects"), summary::render);
    assertEquals(List.of("DEFAULT PRIVILEGES FOR ROLE " + TestPostgres.user() + " IN SCHEMA \"public\" ON TABLES stay"
            + " with schema public, which the target keeps: issue them IN SCHEMA \"app\" on the target",
        "function public.film_count() names film (to be app.films) in its body, which is carried as"
            + " written: edit it on the target after the rename"), SchemaTool.load(config).target().names().warnings());
    try (Connection c = TestPostgres.connect(dst)) {
      assertRenamed(c);
      assertKeysFollowed(c);
    }

    PhaseReport again = SchemaTool.load(config).finalizeSchema();
    assertTrue(again.errors().isEmpty(), again::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertKeysFollowed(c);
      // A load into tables it does not create refuses foreign keys; it builds them, and the index, after.
      TestPostgres.execute(dst, "ALTER TABLE app.film_actor DROP CONSTRAINT film_actor_film_id_fkey,"
          + " DROP CONSTRAINT film_actor_actor_id_fkey; DROP INDEX app.film_title");
    }
    MigrationSummary intoRenamed = Migrations.run(TestConfigs.onTestPostgres(src, dst, RENAMES + """
        load:
          create-tables: false
          truncate: true
        """).withPlainTarget());
    assertTrue(intoRenamed.ok(), intoRenamed::render);
    try (Connection c = TestPostgres.connect(dst)) {
      // finalize run again kept the names; the second run loaded, indexed and set the renamed tables
      assertRenamed(c);
      assertKeysFollowed(c);
    }
    MigrationSummary dropped = Migrations.run(TestConfigs.onTestPostgres(src, dst, RENAMES + """
        load:
          include-drop: true
        """).withPlainTarget());
    assertTrue(dropped.ok(), dropped::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertRenamed(c); // include-drop dropped the renamed objects, and the run renamed its new ones
      assertKeysFollowed(c);

      assertEquals(List.of(), TestPostgres.rows(c, "SELECT relname FROM pg_class c JOIN pg_namespace n"
          + " ON n.oid = c.relnamespace WHERE n.nspname = 'public'"));
    }
  }

  @Test
  void onCitusTheDistributedTablesAreRenamed() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("ren_csrc");
    TestPostgres.execute(src, SOURCE);
    String dst = TestCitus.freshDatabase("ren_cdst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), RENAMES + """
            distribute:
              - film using film_id
              - film_actor using film_id
              - actor as reference table
              - '"Odd Name" as reference table'
              - rentals using id
            """));
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertRenamed(c);
      assertKeysFollowed(c);
      assertEquals(List.of("\"Report S\".\"Odd Name\" reference", "app.actor reference",
              "app.film_actor distributed", "app.films distributed", "app.rentals distributed",
              "app.rentals_2024 distributed"),
          TestPostgres.rows(c, "SELECT table_name || ' ' || citus_table_type FROM citus_tables ORDER BY 1"));
      assertEquals(List.of("30"), TestPostgres.rows(c, "SELECT count(*) FROM app.films f"
          + " JOIN app.film_actor fa USING (film_id)"), "a colocated join on the renamed tables");
    }
  }

  /** The source's objects under their new names, working: view, defaults, sequences, type, routine. */
  private static void assertRenamed(Connection c) throws Exception {
    assertEquals(List.of(
            "Report S.Odd Name r", "Report S.Odd Name_id_seq S", "app.actor r", "app.actor_actor_id_seq S",
            "app.film_actor r", "app.film_film_id_seq S", "app.film_list v", "app.film_title i", "app.films r",
            "app.rentals p", "app.rentals_2024 r", "app.ticket_seq S"),
        TestPostgres.rows(c, "SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'app', 'Report S')"
            + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i') AND c.relname !~ '(pkey|_[0-9]{6,})$'"
            + " AND c.relname NOT LIKE 'citus%' ORDER BY 1"));
    assertWorks(c);
  }

  private static void assertKeysFollowed(Connection c) throws Exception {
    assertEquals(List.of("app.film_actor app.actor", "app.film_actor app.films"),
        TestPostgres.rows(c, "SELECT conrelid::regclass || ' ' || confrelid::regclass FROM pg_constraint"
            + " WHERE contype = 'f' AND connamespace::regnamespace::text = 'app' AND conname !~ '_[0-9]{6,}$'"
            + " ORDER BY 1"));
  }

  private static void assertWorks(Connection c) throws Exception {
    assertEquals(List.of("30 30 2 5"), TestPostgres.rows(c, "SELECT (SELECT count(*) FROM app.films) || ' '"
        + " || (SELECT count(*) FROM app.film_list) || ' ' || (SELECT count(*) FROM \"Report S\".\"Odd Name\")"
        + " || ' ' || (SELECT count(*) FROM app.rentals)"));
    assertEquals(List.of("31 R 42"), TestPostgres.rows(c, "WITH f AS (INSERT INTO app.films (title, rating)"
        + " VALUES ('new', 'R'::app.rating) RETURNING film_id, rating)"
        + " SELECT film_id || ' ' || rating || ' ' || nextval('app.ticket_seq') FROM f"));
    assertEquals(List.of("app.film_count() pg"), TestPostgres.rows(c, "SELECT 'app.film_count'::regproc::regprocedure"
        + " || ' ' || app.label('PG')"));
    assertEquals(List.of("3"), TestPostgres.rows(c, "INSERT INTO \"Report S\".\"Odd Name\" (note) VALUES ('three')"
        + " RETURNING id"), "the serial's sequence went with its table and holds the source's value");
    TestPostgres.rows(c, "DELETE FROM \"Report S\".\"Odd Name\" WHERE id = 3 RETURNING id");
  }
}
