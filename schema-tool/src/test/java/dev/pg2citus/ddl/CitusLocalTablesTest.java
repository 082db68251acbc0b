package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tables the plan leaves local become Citus local tables on the target when their foreign keys tie
 * them to a reference table: the plan says which and why, and the target, once created and finalized,
 * agrees. Skips, saying why, where no Citus can be started.
 */
class CitusLocalTablesTest {
  @BeforeEach
  void needsCitus() {
    TestCitus.assumeAvailable();
  }

  @Test
  void thePlanNamesTheLocalTablesCitusTakesIntoItsMetadata() throws SQLException {
    String src = TestPostgres.freshDatabase("citus_local_src");
    TestPostgres.execute(src, """
        CREATE TABLE countries (code text PRIMARY KEY);
        CREATE TABLE shops (id bigint PRIMARY KEY, country text REFERENCES countries (code));
        CREATE TABLE branches (id bigint PRIMARY KEY, country text REFERENCES countries (code));
        CREATE TABLE branch_notes (id bigint PRIMARY KEY, branch_id bigint REFERENCES branches (id));
        CREATE TABLE audit (id bigint PRIMARY KEY);
        """);
    String dst = TestCitus.freshDatabase("citus_local_dst");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(), """
        distribute:
          - shops using id
          - countries as reference table
        """);
    DistributionPlan plan = SchemaTool.load(config).target().plan();

    assertEquals(Placement.Kind.LOCAL, plan.of(table("branches")).kind());
    assertEquals(Optional.of("its foreign key branches_country_fkey (branches(country) → countries(code)) references"
        + " reference table public.countries"), plan.citusLocal(table("branches")));
    assertEquals(Optional.of("foreign key branch_notes_branch_id_fkey (branch_notes(branch_id) → branches(id)) joins"
        + " it to Citus local table public.branches"), plan.citusLocal(table("branch_notes")));
    assertEquals(Optional.empty(), plan.citusLocal(table("audit")));
    String rendered = plan.render();
    assertTrue(rendered.contains("2 Citus local, 1 local") && rendered.contains("public.branches       Citus local"),
        rendered);
    assertEquals(Optional.empty(), SchemaTool.load(config.withPlainTarget()).target().plan()
        .citusLocal(table("branches")), "plain PostgreSQL has no Citus local tables");

    SchemaRuns.createAndFinalize(config);
    assertEquals(List.of("branch_notes", "branches"), citusLocalOnTarget(dst), "what the plan said");
  }

  private static TableName table(String name) {
    return new TableName("public", name);
  }

  private static List<String> citusLocalOnTarget(String db) throws SQLException {
    try (Connection c = TestCitus.connect(db)) {
      return TestPostgres.rows(c, "SELECT logicalrelid::regclass::text FROM pg_dist_partition"
          + " WHERE partmethod = 'n' AND repmodel = 's' ORDER BY 1");
    }
  }
}
