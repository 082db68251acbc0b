package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Foreign keys declared on the partitions of a partitioned table, not on the table itself (as
 * pagila's payment partitions have them): they lead discovery to the partitioned table, which is
 * distributed with its partitions on a column added through them, and each partition gets its key
 * back, rewritten to hold the distribution column on both sides.
 */
class PartitionForeignKeysTest {
  private static final String SOURCE = """
      CREATE TABLE stores (store_id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE customers (customer_id int PRIMARY KEY, store_id int NOT NULL REFERENCES stores, name text);
      CREATE TABLE payments (payment_id int NOT NULL, customer_id int NOT NULL, amount numeric(8,2),
          paid date NOT NULL, PRIMARY KEY (payment_id, paid)) PARTITION BY RANGE (paid);
      CREATE TABLE payments_2024 PARTITION OF payments FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE payments_2025 PARTITION OF payments FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      ALTER TABLE payments_2024 ADD CONSTRAINT payments_2024_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers;
      ALTER TABLE payments_2025 ADD CONSTRAINT payments_2025_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers;
      INSERT INTO stores SELECT s, 'store ' || s FROM generate_series(1, 4) s;
      INSERT INTO customers SELECT c, 1 + c % 4, 'customer ' || c FROM generate_series(1, 200) c;
      INSERT INTO payments SELECT p, 1 + p % 200, p % 97, date '2024-01-01' + p % 700 FROM generate_series(1, 5000) p;
      """;
  private static final String YAML = """
      distribute:
        - stores using store_id
      """;
  private static final String KEYS = """
      SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
       WHERE contype = 'f' AND conrelid::regclass::text LIKE 'payments%' ORDER BY 1
      """;

  @Test
  void partitionKeysDistributeThePartitionedTableOnCitus() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("partfk_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestCitus.freshDatabase("partfk_dst");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(), YAML);

    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of("customers store_id", "payments store_id", "payments_2024 store_id", "payments_2025 store_id",
          "stores store_id"), rows(c, "SELECT logicalrelid::regclass || ' ' || column_to_column_name(logicalrelid,"
              + " partkey) FROM pg_dist_partition WHERE partmethod = 'h' ORDER BY 1"),
          "payments is distributed with its partitions, on the column its partitions' keys carry");
      assertEquals(List.of(
          "payments_2024 FOREIGN KEY (store_id, customer_id) REFERENCES customers(store_id, customer_id)",
          "payments_2025 FOREIGN KEY (store_id, customer_id) REFERENCES customers(store_id, customer_id)"),
          rows(c, KEYS), "each partition has its key back, with the distribution column on both sides");
      try (Statement st = c.createStatement()) {
        st.execute("SET citus.enable_repartition_joins = on"); // joined on customer_id alone, to check store_id
      }
      assertEquals(List.of("0"), rows(c, "SELECT count(*) FROM payments p JOIN customers c USING (customer_id)"
          + " WHERE p.store_id <> c.store_id"), "every payment's store is its customer's");
      assertEquals(List.of("5000"), rows(c, "SELECT count(*) FROM payments"));
    }
  }

  @Test
  void anExplicitPathFollowsTheKeysOfThePartitions() throws Exception {
    String src = TestPostgres.freshDatabase("partfk_rule");
    TestPostgres.execute(src, SOURCE);
    SchemaTool tool = SchemaTool.load(TestConfigs.onTestPostgres(src, src, YAML + "  - payments using store_id from customers\n"));
    Placement payments = tool.target().plan().of(new TableName("public", "payments"));
    assertEquals("payments_2024(customer_id) → customers(customer_id); value customers.store_id",
        payments.backfill().toString(), payments.toString());
  }

  @Test
  void onPlainPostgresqlThePartitionsKeepRewrittenKeys() throws Exception {
    String src = TestPostgres.freshDatabase("partfk_psrc");
    TestPostgres.execute(src, SOURCE);
    String dst = TestPostgres.freshDatabase("partfk_pdst");

    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, YAML).withPlainTarget());
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertEquals(List.of(
          "payments_2024 FOREIGN KEY (store_id, customer_id) REFERENCES customers(store_id, customer_id)",
          "payments_2025 FOREIGN KEY (store_id, customer_id) REFERENCES customers(store_id, customer_id)"),
          rows(c, KEYS));
      assertEquals(List.of("5000"), rows(c, "SELECT count(*) FROM payments p JOIN customers c"
          + " USING (customer_id) WHERE p.store_id = c.store_id"), "every payment's store is its customer's");
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    return TestPostgres.rows(c, sql);
  }
}
