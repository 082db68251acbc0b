package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * A table whose only column is a stored generated column, and a table of zero columns: the COPY of
 * their rows has no column to name, yet their rows (a zero-column table's too) arrive, and a
 * resume of the run does the same.
 */
class EmptyColumnListTest {
  private static final String SOURCE = """
      CREATE TABLE gen (nb int GENERATED ALWAYS AS (1) STORED);
      INSERT INTO gen DEFAULT VALUES;
      INSERT INTO gen DEFAULT VALUES;
      CREATE TABLE "No Columns" ();
      INSERT INTO "No Columns" SELECT FROM generate_series(1, 5);
      CREATE TABLE plain (id int PRIMARY KEY, g int GENERATED ALWAYS AS (id * 2) STORED);
      INSERT INTO plain SELECT generate_series(1, 10);
      """;

  @Test
  void generatedOnlyAndZeroColumnTablesMigrateExactAndResume() throws Exception {
    String src = TestPostgres.freshDatabase("nocols_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestPostgres.freshDatabase("nocols_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "load:\n  include-drop: true\n").withPlainTarget();

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertExact(dst);

    // As after a crash while the two tables were copied: the resume copies them again.
    TestPostgres.execute(dst, "TRUNCATE gen, \"No Columns\"; UPDATE pg2citus.partitions SET done = false"
        + " WHERE table_name IN ('public.gen', 'public.\"No Columns\"'); DELETE FROM pg2citus.steps WHERE step <> 'CREATED'");
    MigrationSummary resumed = Migrations.run(config, true, Migrations.rejectsDir());
    assertTrue(resumed.ok(), resumed::render);
    assertExact(dst);
  }

  private static void assertExact(String dst) throws Exception {
    assertEquals(2, TestPostgres.scalar(dst, "SELECT count(*) FROM gen"));
    assertEquals(2, TestPostgres.scalar(dst, "SELECT count(*) FROM gen WHERE nb = 1"));
    assertEquals(5, TestPostgres.scalar(dst, "SELECT count(*) FROM \"No Columns\""));
    assertEquals(10, TestPostgres.scalar(dst, "SELECT count(*) FROM plain WHERE g = id * 2"));
  }
}
