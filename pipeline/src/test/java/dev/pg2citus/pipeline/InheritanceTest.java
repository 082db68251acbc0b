package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Classic inheritance ({@code INHERITS}) is carried: the children are created inheriting from their
 * parent, so the parent's count (children included) is the source's. Citus refuses inherited tables
 * as distributed or reference tables: a plan that would make one so is refused by name before
 * anything is written; a hierarchy left local migrates on the Citus coordinator as on PostgreSQL.
 */
class InheritanceTest {
  private static final String SOURCE = """
      CREATE TABLE parent_model (id bigint PRIMARY KEY, name text NOT NULL,
                                 label text GENERATED ALWAYS AS ('m' || id) STORED, CHECK (id > 0));
      CREATE TABLE child_a (a_extra int) INHERITS (parent_model);
      CREATE TABLE "Child B" (b_note text NOT NULL) INHERITS (parent_model);
      INSERT INTO parent_model (id, name) SELECT i, 'p' || i FROM generate_series(1, 10) i;
      INSERT INTO child_a (id, name, a_extra) SELECT i, 'a', i FROM generate_series(11, 1010) i;
      INSERT INTO "Child B" (id, name, b_note) SELECT i, 'b', 'n' FROM generate_series(1011, 2010) i;
      CREATE TABLE accounts (id bigint PRIMARY KEY);
      INSERT INTO accounts SELECT generate_series(1, 5);
      """;

  private static String source() throws Exception {
    String src = TestPostgres.freshDatabase("inherits_src");
    TestPostgres.execute(src, SOURCE);
    return src;
  }

  private static void assertCarried(Connection c) throws Exception {
    assertEquals(List.of("2010"), TestPostgres.rows(c, "SELECT count(*) FROM parent_model"), "children included");
    assertEquals(List.of("10"), TestPostgres.rows(c, "SELECT count(*) FROM ONLY parent_model"));
    assertEquals(List.of("\"Child B\" parent_model", "child_a parent_model"), TestPostgres.rows(c,
        "SELECT inhrelid::regclass || ' ' || inhparent::regclass FROM pg_inherits ORDER BY 1"));
    assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM parent_model WHERE label <> 'm' || id"),
        "the children compute the parent's generated column");
    assertEquals(List.of("2"), TestPostgres.rows(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'c'"
        + " AND conrelid IN ('child_a'::regclass, '\"Child B\"'::regclass)"), "the check reaches the children");
  }

  @Test
  void inheritanceIsCarriedOnPlainPostgresql() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("inherits_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, "load:\n  verify: checksums\n")
        .withPlainTarget());
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertCarried(c);
    }
  }

  @Test
  void citusRefusesInheritedTablesInThePlanAndTakesALocalHierarchy() throws Exception {
    TestCitus.assumeAvailable();
    String src = source();
    String untouched = TestCitus.freshDatabase("inherits_refused");
    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(TestConfigs.of(
        TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(untouched), TestCitus.user(), """
            distribute:
              - parent_model using id
              - child_a as reference table
            """)));
    String message = refused.getMessage();
    assertTrue(message.contains("public.parent_model (INHERITS with public.\"Child B\", public.child_a) would be"
        + " distributed on id"), message);
    assertTrue(message.contains("public.child_a (INHERITS with public.parent_model) would be a reference table"),
        message);
    assertTrue(message.contains("which Citus refuses for tables in an inheritance hierarchy"), message);
    try (Connection c = TestCitus.connect(untouched)) {
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
          "nothing was written");
    }

    String dst = TestCitus.freshDatabase("inherits_dst");
    MigrationConfig local = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(),
        "distribute: [accounts using id]\nload:\n  verify: checksums\n");
    MigrationSummary summary = Migrations.run(local);
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertCarried(c);
      assertEquals(List.of("accounts"), TestPostgres.rows(c, "SELECT table_name::text FROM citus_tables"));
    }
  }
}
