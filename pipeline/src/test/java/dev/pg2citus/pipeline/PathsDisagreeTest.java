package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rental reaches its store along inventory and along customer, and for some rentals the two
 * disagree (pagila's shape). {@code migrate} counts them in the source and refuses before anything
 * is written; with the disagreeing key left out, it migrates into Citus and every rental takes its
 * store from the chosen path.
 */
class PathsDisagreeTest {
  private static final String SOURCE = EmbeddedDefault.resource("/dev/pg2citus/plan/rentals-schema.sql") + """
      INSERT INTO store VALUES (1), (2);
      INSERT INTO customer SELECT i, 1 + i % 2 FROM generate_series(1, 40) i;
      INSERT INTO inventory SELECT i, 1 + i % 2 FROM generate_series(1, 100) i;
      -- the stores of inventory i % 100 + 1 and customer i / 2 % 40 + 1 differ when i % 4 is 1 or 2
      INSERT INTO rental SELECT i, i % 100 + 1, i / 2 % 40 + 1 FROM generate_series(1, 1000) i;
      """;
  private static final String RULES = """
      distribute:
        - store using store_id
        - rental using store_id from inventory
      """;

  @Test
  void refusedBeforeAnythingIsWrittenWithTheCount() throws Exception {
    String src = TestPostgres.freshDatabase("paths_src");
    TestPostgres.execute(src, SOURCE);
    String untouched = TestPostgres.freshDatabase("paths_dst");
    PlanException refused = assertThrows(PlanException.class, () -> Migrations.run(TestConfigs.onTestPostgres(
        src, untouched, RULES).withPlainTarget()));
    assertTrue(refused.getMessage().startsWith("500 rows of public.rental reference along rental_customer_id_fkey")
        && refused.getMessage().contains("leave-out-foreign-keys"), refused.getMessage());
    try (Connection c = TestPostgres.connect(untouched)) {
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
          "nothing was written");
    }
  }

  @Test
  void withTheKeyLeftOutEveryRentalTakesItsStoreFromInventory() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("paths_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestCitus.freshDatabase("paths_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), RULES + "citus:\n  leave-out-foreign-keys: [rental.rental_customer_id_fkey]\n"));
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      // The key holds the store on both sides, so each rental is in its inventory's store.
      assertEquals(List.of("rental_inventory_id_fkey FOREIGN KEY (store_id, inventory_id) REFERENCES"
          + " inventory(store_id, inventory_id) true"), TestPostgres.rows(c, "SELECT conname || ' ' ||"
          + " pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint WHERE contype = 'f'"
          + " AND conrelid = 'rental'::regclass"));
      assertEquals(List.of("1000"), TestPostgres.rows(c, "SELECT count(*) FROM rental"));
    }
  }
}
