package dev.pg2citus.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read partitions of integer-keyed tables: every row in exactly one, an empty or one-key table in one. */
class PartitionPlannerTest {
  @Test
  void keyRangesCoverEveryRowOnceAndSmallTablesTakeOnePartition() throws Exception {
    String db = TestPostgres.freshDatabase("partitions");
    TestPostgres.execute(db, """
        CREATE TABLE empty (id serial PRIMARY KEY);
        CREATE TABLE single (id int PRIMARY KEY);
        INSERT INTO single VALUES (7);
        CREATE TABLE many (id bigint PRIMARY KEY);
        INSERT INTO many SELECT generate_series(1, 1000);
        """);
    try (Connection c = TestPostgres.connect(db)) {
      Catalog catalog = new CatalogReader(c).read(t -> true);
      List<ReadPartition> partitions = new PartitionPlanner(c, 8, 250_000).plan(catalog.tables());
      assertEquals(List.of("true"), predicates(partitions, "public.empty"));
      assertEquals(List.of("true"), predicates(partitions, "public.single"));
      List<String> many = predicates(partitions, "public.many");
      assertEquals(8, many.size(), many.toString());
      long covered = 0;
      for (String predicate : many) {
        covered += TestPostgres.scalar(db, "SELECT count(*) FROM many WHERE " + predicate);
      }
      assertEquals(1000, covered, "each row in exactly one partition: " + many);
    }
  }

  private static List<String> predicates(List<ReadPartition> partitions, String table) {
    return partitions.stream().filter(p -> p.table().equals(table)).map(ReadPartition::predicate).toList();
  }
}
