package dev.pg2citus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.testing.TestPostgres;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code citus.distribute-functions}: resolved on the source, checked against the plan before anything is written. */
class FunctionPlannerTest {
  private static String db;

  @BeforeAll
  static void createSource() throws SQLException {
    db = TestPostgres.freshDatabase("functions");
    TestPostgres.execute(db, """
        CREATE TABLE companies (id bigint PRIMARY KEY);
        CREATE TABLE settings (key text PRIMARY KEY);
        CREATE FUNCTION add_company(company bigint) RETURNS void LANGUAGE sql
            AS 'INSERT INTO companies VALUES (company)';
        """);
  }

  private static String rules(String function, String argument, String table) {
    return """
        distribute:
          - companies using id
        citus:
          distribute-functions:
            - function: '%s'
              argument: %s
              colocate-with: %s
        """.formatted(function, argument, table);
  }

  @Test
  void aRoutineIsDistributedAfterItsTable() throws Exception {
    SchemaTool tool = SchemaTool.load(TestConfigs.onTestPostgres(db, db, rules("add_company(bigint)", "company",
        "companies")));
    assertEquals(List.of("public.add_company(bigint)"),
        tool.target().plan().functions().stream().map(FunctionPlacement::routine).toList());
    List<String> create = tool.scripts().create().stream().map(DdlStatement::sql).toList();
    int table = create.indexOf("SELECT create_distributed_table('\"public\".\"companies\"', 'id', colocate_with => 'none',"
        + " shard_count => 32)");
    int function = create.indexOf("SELECT create_distributed_function('public.add_company(bigint)', 'company',"
        + " colocate_with := '\"public\".\"companies\"')");
    assertTrue(table >= 0 && function > table, String.join("\n", create));
    assertTrue(tool.target().plan().render().contains("distributed functions"), tool.target().plan().render());
  }

  @Test
  void eachMistakeNamesItsRuleLine() {
    assertMentions(rules("no_such(int)", "$1", "companies"), "test.yaml:11: citus.distribute-functions[0]", "no routine no_such(int)");
    assertMentions(rules("add_company(bigint)", "tenant", "companies"), "has no parameter tenant", "company");
    assertMentions(rules("add_company(bigint)", "$1", "settings"), "colocate-with public.settings is not distributed");
    assertMentions(rules("add_company(bigint)", "$1", "nowhere"), "table nowhere does not exist");
  }

  private static void assertMentions(String yaml, String... parts) {
    ConfigException e = assertThrows(ConfigException.class, () -> SchemaTool.load(TestConfigs.onTestPostgres(db, db,
        yaml)));
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
  }
}
