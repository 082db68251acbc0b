package dev.pg2citus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The source rows checked against the plan: disagreeing paths, orphans, NULL distribution values. */
class DataCheckTest {
  /** Rentals 1..6: even ids rent in the customer's own store, odd ids in the other store. */
  private static final String SHOP = EmbeddedDefault.resource("/dev/pg2citus/plan/rentals-schema.sql") + """
      INSERT INTO store VALUES (1), (2);
      INSERT INTO customer VALUES (10, 1), (20, 2);
      INSERT INTO inventory VALUES (100, 1), (200, 2);
      INSERT INTO rental SELECT i, CASE WHEN i % 2 = 0 THEN 100 ELSE 200 END, 10 FROM generate_series(1, 6) i;
      """;
  private static final TableName RENTAL = new TableName("public", "rental");
  private static final String FROM_INVENTORY = """
      distribute:
        - store using store_id
        - rental using store_id from inventory
      """;
  private static final String CUSTOMER_KEY_LEFT_OUT = FROM_INVENTORY + """
      citus:
        leave-out-foreign-keys: [rental.rental_customer_id_fkey]
      """;

  private static String shop;

  @BeforeAll
  static void createShop() throws SQLException {
    shop = TestPostgres.freshDatabase("datacheck");
    TestPostgres.execute(shop, SHOP);
  }

  @Test
  void rowsWhosePathsDisagreeRefuseTheRunWithTheirCountAndKeys() throws Exception {
    List<DataCheck.Finding> findings = check(shop, FROM_INVENTORY);
    assertEquals(1, findings.size(), findings.toString());
    DataCheck.Finding disagree = findings.get(0);
    assertEquals(RENTAL, disagree.table());
    assertEquals(3, disagree.rows(), "rentals 1, 3, 5 are in another store than their customer");
    assertEquals(List.of("(rental_id)=(1)", "(rental_id)=(3)", "(rental_id)=(5)"),
        disagree.examples().stream().sorted().toList());
    assertTrue(disagree.refuses());
    assertTrue(disagree.text().contains("rental_customer_id_fkey")
        && disagree.text().contains("citus.leave-out-foreign-keys: [rental.rental_customer_id_fkey]"), disagree.text());

    PlanException refused = assertThrows(PlanException.class, () -> DataCheck.refuseIfNeeded(findings));
    assertTrue(refused.getMessage().startsWith("3 rows of public.rental reference along rental_customer_id_fkey"),
        refused.getMessage());
  }

  @Test
  void aKeyLeftOutIsNeitherCheckedNorCreated() throws Exception {
    String rules = CUSTOMER_KEY_LEFT_OUT;
    assertEquals(List.of(), check(shop, rules));
    SchemaTool tool = SchemaTool.load(TestConfigs.onTestPostgres(shop, shop, rules));
    String finalize = tool.scripts().finalizeSchema().stream().map(DdlStatement::sql).reduce("", String::concat);
    assertFalse(finalize.contains("rental_customer_id_fkey"), finalize);
    assertTrue(finalize.contains("rental_inventory_id_fkey"), finalize);
    assertTrue(tool.target().plan().warnings().stream().anyMatch(w -> w.contains("rental_customer_id_fkey")
        && w.contains("left out")), tool.target().plan().warnings().toString());

    ConfigException unknown = assertThrows(ConfigException.class, () -> SchemaTool.load(TestConfigs.onTestPostgres(
        shop, shop, rules.replace("rental.rental_customer_id_fkey", "rental.no_such_fkey"))));
    assertTrue(unknown.getMessage().contains("citus.leave-out-foreign-keys")
        && unknown.getMessage().contains("no foreign key rental.no_such_fkey"), unknown.getMessage());
  }

  @Test
  void orphansAreCountedAndRejectedOrRefusedAsOnOrphanSays() throws Exception {
    String db = TestPostgres.freshDatabase("datacheck");
    TestPostgres.execute(db, SHOP + "UPDATE rental SET inventory_id = NULL WHERE rental_id IN (2, 4);");
    String rules = CUSTOMER_KEY_LEFT_OUT;
    List<DataCheck.Finding> rejected = check(db, rules);
    assertEquals(1, rejected.size(), rejected.toString());
    assertEquals(2, rejected.get(0).rows());
    assertFalse(rejected.get(0).refuses());
    assertTrue(rejected.get(0).text().contains("will be rejected"), rejected.get(0).text());

    List<DataCheck.Finding> stopped = check(db, rules + "load:\n  on-orphan: stop\n");
    assertEquals(2, stopped.get(0).rows());
    assertTrue(stopped.get(0).refuses(), stopped.get(0).text());
  }

  @Test
  void nullDistributionValuesAreCounted() throws Exception {
    String db = TestPostgres.freshDatabase("datacheck");
    TestPostgres.execute(db, """
        CREATE TABLE "Events" ("Tenant" int, id int, PRIMARY KEY (id));
        INSERT INTO "Events" SELECT CASE WHEN i <= 7 THEN NULL ELSE i END, i FROM generate_series(1, 20) i;
        """);
    String rules = """
        distribute:
          - '"Events" using "Tenant"'
        """;
    List<DataCheck.Finding> findings = check(db, rules);
    assertEquals(1, findings.size(), findings.toString());
    assertEquals(7, findings.get(0).rows());
    assertTrue(findings.get(0).refuses());
    assertEquals(DataCheck.EXAMPLES, findings.get(0).examples().size());
    assertTrue(findings.get(0).text().contains("NULL in distribution column Tenant"), findings.get(0).text());

    assertFalse(check(db, rules + "load:\n  on-error: reject\n").get(0).refuses());
  }

  private static List<DataCheck.Finding> check(String db, String yaml) throws SQLException {
    SchemaTool tool = SchemaTool.load(TestConfigs.onTestPostgres(db, db, yaml));
    try (Connection source = TestPostgres.connect(db)) {
      return tool.checkData(source);
    }
  }
}
