package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A foreign key with {@code ON UPDATE CASCADE} on the distribution column, which Citus refuses: by
 * default the run is refused before anything is written, naming the key and the remedy; with
 * {@code citus.refused-key-actions: drop} the key is created without that action and the run ends
 * clean on a real Citus cluster.
 */
class RefusedKeyActionsTest {
  private static final String SOURCE = """
      CREATE TABLE companies (id bigint PRIMARY KEY, name text NOT NULL);
      CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL
          REFERENCES companies (id) ON UPDATE CASCADE ON DELETE CASCADE, name text);
      INSERT INTO companies SELECT i, 'company ' || i FROM generate_series(1, 10) i;
      INSERT INTO campaigns SELECT i, 1 + i % 10, 'campaign ' || i FROM generate_series(1, 100) i;
      """;
  private static final String RULES = """
      distribute:
        - companies using id
      """;

  @Test
  void refusedByDefaultAndDroppedWhenAsked() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("refused_src");
    TestPostgres.execute(src, SOURCE);

    String untouched = TestCitus.freshDatabase("refused_dst");
    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(TestConfigs.of(
        TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(untouched), TestCitus.user(), RULES)));
    assertTrue(refused.getMessage().contains("campaigns_company_id_fkey")
        && refused.getMessage().contains("citus.refused-key-actions: drop"), refused.getMessage());
    try (Connection c = TestCitus.connect(untouched)) {
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
          "nothing was written");
    }

    String dst = TestCitus.freshDatabase("dropped_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), RULES + "citus:\n  refused-key-actions: drop\n"));
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.render().contains("note: plan: foreign key campaigns_company_id_fkey"),
        "migrate repeats the plan's warnings: " + summary.render());
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of("FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE"),
          TestPostgres.rows(c, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
              + " AND conrelid = 'campaigns'::regclass"));
      assertEquals(List.of("100"), TestPostgres.rows(c, "SELECT count(*) FROM campaigns"));
    }
  }
}
