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
 * Distribution columns whose type hashes with another type's operator class — varchar (text's),
 * cidr (inet's), a domain over text (its base type's) — are distributed on a real Citus cluster,
 * Northwind's {@code customer_id} among them, a longer varchar colocated with a shorter one, and every
 * row arrives.
 */
class DistributionColumnTypesTest {
  private static final String SOURCE = """
      CREATE DOMAIN code AS text;
      CREATE TABLE c (id varchar(5) PRIMARY KEY);
      INSERT INTO c SELECT 'k' || i FROM generate_series(1, 50) i;
      -- colocated with c, though its varchar is longer: Citus colocates on the type alone
      CREATE TABLE c_notes (id int PRIMARY KEY, c_id varchar(8) REFERENCES c);
      INSERT INTO c_notes SELECT i, 'k' || (1 + i % 50) FROM generate_series(1, 70) i;
      CREATE TABLE nets (net cidr PRIMARY KEY, note text);
      INSERT INTO nets SELECT ('10.' || i || '.0.0/16')::cidr, 'n' || i FROM generate_series(1, 40) i;
      CREATE TABLE coded (k code PRIMARY KEY, v int);
      INSERT INTO coded SELECT 'c' || i, i FROM generate_series(1, 30) i;
      -- Northwind's shape: orders carry customer_id, order_details get it added
      CREATE TABLE customers (customer_id varchar(5) PRIMARY KEY, company_name varchar(40) NOT NULL);
      CREATE TABLE orders (order_id smallint PRIMARY KEY, customer_id varchar(5) REFERENCES customers);
      CREATE TABLE order_details (order_id smallint NOT NULL REFERENCES orders, product_id smallint NOT NULL,
                                  quantity smallint NOT NULL, PRIMARY KEY (order_id, product_id));
      INSERT INTO customers SELECT 'C' || i, 'company ' || i FROM generate_series(1, 20) i;
      INSERT INTO orders SELECT i, 'C' || (1 + i % 20) FROM generate_series(1, 200) i;
      INSERT INTO order_details SELECT o, p, o + p FROM generate_series(1, 200) o, generate_series(1, 3) p;
      """;

  @Test
  void varcharCidrAndDomainColumnsAreDistributedAndExact() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("keytypes_src");
    TestPostgres.execute(src, SOURCE);
    String dst = TestCitus.freshDatabase("keytypes_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), """
            distribute:
              - c using id
              - nets using net
              - coded using k
              - customers using customer_id
            load:
              verify: checksums
            """));
    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of("c id", "c_notes c_id", "coded k", "customers customer_id", "nets net", "order_details customer_id",
              "orders customer_id"),
          TestPostgres.rows(c, "SELECT table_name || ' ' || distribution_column FROM citus_tables"
              + " WHERE citus_table_type = 'distributed' ORDER BY 1"));
      assertEquals(List.of("50", "70", "40", "30", "20", "200", "600"), TestPostgres.rows(c,
          "SELECT count(*) FROM c UNION ALL SELECT count(*) FROM c_notes UNION ALL SELECT count(*) FROM nets UNION ALL SELECT count(*) FROM coded"
              + " UNION ALL SELECT count(*) FROM customers UNION ALL SELECT count(*) FROM orders"
              + " UNION ALL SELECT count(*) FROM order_details"));
      assertEquals(List.of("1"), TestPostgres.rows(c, "SELECT count(DISTINCT colocation_id) FROM citus_tables"
          + " WHERE table_name::text IN ('c', 'c_notes')"));
      assertEquals(List.of("600"), TestPostgres.rows(c, "SELECT count(*) FROM order_details d JOIN orders o"
          + " ON o.customer_id = d.customer_id AND o.order_id = d.order_id"), "each detail has its order's customer");
    }
  }
}
