package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A routine distributed by {@code citus.distribute-functions} lands in its table's colocation group
 * on a real Citus cluster, delegated on its argument, and works.
 */
class DistributedFunctionTest {
  @Test
  void theRoutineJoinsItsTablesColocationGroup() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("dfunc_src");
    TestPostgres.execute(src, """
        CREATE TABLE companies (id bigint PRIMARY KEY, clicks bigint NOT NULL DEFAULT 0);
        INSERT INTO companies SELECT generate_series(1, 20);
        CREATE FUNCTION "Count click"(company bigint) RETURNS bigint LANGUAGE sql
            AS 'UPDATE companies SET clicks = clicks + 1 WHERE id = company RETURNING clicks';
        """);
    String dst = TestCitus.freshDatabase("dfunc_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), """
            distribute:
              - companies using id
            citus:
              distribute-functions:
                - function: '"Count click"(bigint)'
                  argument: company
                  colocate-with: companies
            """));
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of("0 true"), TestPostgres.rows(c, """
          SELECT o.distribution_argument_index || ' ' || (o.colocationid = p.colocationid)
            FROM pg_dist_object o, pg_dist_partition p
           WHERE o.objid = 'public."Count click"(bigint)'::regprocedure AND p.logicalrelid = 'companies'::regclass
          """));
      assertEquals(List.of("1"), TestPostgres.rows(c, "SELECT \"Count click\"(7)"));
    }
  }
}
