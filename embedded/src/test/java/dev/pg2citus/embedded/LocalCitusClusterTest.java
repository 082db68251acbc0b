package dev.pg2citus.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pg2citus.testing.TestCitus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalCitusClusterTest {

  @BeforeEach
  void needsCitus() {
    TestCitus.assumeAvailable();
  }

  @Test
  void distributesRowsOverTheWorkers() throws SQLException {
    String db = TestCitus.freshDatabase("citus_cluster");
    try (Connection c = TestCitus.connect(db);
        Statement s = c.createStatement()) {
      assertEquals(
          TestCitus.workerCount(),
          count(s, "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0"));

      s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, note text)");
      s.execute("SELECT create_distributed_table('orders', 'id')");
      s.execute("INSERT INTO orders SELECT g, 'note ' || g FROM generate_series(1, 100) g");

      assertEquals(100, count(s, "SELECT count(*) FROM orders"));
      assertEquals(5050, count(s, "SELECT sum(id) FROM orders"));
      // Shards land on every worker, or on the coordinator when it is a single node.
      assertEquals(
          Math.max(1, TestCitus.workerCount()),
          count(
              s,
              "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name ="
                  + " 'orders'::regclass"));
    }
  }

  @Test
  void joinsADistributedTableWithAReferenceTable() throws SQLException {
    String db = TestCitus.freshDatabase("citus_reference");
    try (Connection c = TestCitus.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kinds (id int PRIMARY KEY, name text)");
      s.execute("SELECT create_reference_table('kinds')");
      s.execute("INSERT INTO kinds VALUES (1, 'even'), (2, 'odd')");
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, kind int REFERENCES kinds (id))");
      s.execute("SELECT create_distributed_table('items', 'id')");
      // One multi-shard write: committed on every node with two-phase commit.
      s.execute("INSERT INTO items SELECT g, 1 + g % 2 FROM generate_series(1, 10) g");

      assertEquals(
          5,
          count(
              s,
              "SELECT count(*) FROM items JOIN kinds ON kinds.id = items.kind"
                  + " WHERE kinds.name = 'odd'"));
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
