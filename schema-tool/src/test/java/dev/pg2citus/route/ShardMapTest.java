package dev.pg2citus.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rows routed by {@link CitusHash} and {@link ShardMap} land where Citus itself puts them
 * ({@code get_shard_id_for_distribution_column}), with even ranges and after a split made them uneven;
 * and each shard's table and node are where its placement is.
 */
class ShardMapTest {
  private static final String TABLE = "\"Tenant Events\"";

  private static void assertRoutesAsCitus(Connection c, ShardMap map, long seed) throws SQLException {
    Random r = new Random(seed);
    CitusHash.FieldHash hash = CitusHash.forType("bigint").orElseThrow();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT get_shard_id_for_distribution_column('" + TABLE + "', ?::bigint)")) {
      for (int i = 0; i < 2000; i++) {
        long value = i < 1000 ? r.nextInt(100_000) : r.nextLong();
        ps.setString(1, Long.toString(value));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertEquals(rs.getLong(1), map.shardFor(hash.hash(Long.toString(value))).id(), "value " + value);
        }
      }
    }
  }

  @Test
  void routesEveryValueToTheShardCitusChoosesAlsoAfterASplit() throws SQLException {
    TestCitus.assumeAvailable();
    String db = TestCitus.freshDatabase("shard_map");
    try (Connection c = TestCitus.connect(db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + TABLE + " (\"Tenant\" bigint NOT NULL, payload text)");
      st.execute("SELECT create_distributed_table('" + TABLE + "', 'Tenant', shard_count => 6)");
      ShardMap even = ShardMap.read(c, TABLE).orElseThrow();
      assertEquals(6, even.shards().size());
      assertRoutesAsCitus(c, even, 1);
      for (ShardMap.Shard s : even.shards()) { // the table and node of each shard are where Citus says
        try (ResultSet rs = st.executeQuery("SELECT nodename, nodeport FROM citus_shards WHERE shardid = " + s.id())) {
          assertTrue(rs.next());
          assertEquals(rs.getString(1) + ":" + rs.getInt(2), s.host() + ":" + s.port());
        }
        assertTrue(s.table().startsWith("public.\"Tenant Events_"), s.table());
      }

      long first = even.shards().get(0).id();
      st.execute("SELECT citus_split_shard_by_split_points(" + first + ", ARRAY['-2000000000'],"
          + " ARRAY(SELECT nodeid FROM pg_dist_node WHERE noderole = 'primary' AND shouldhaveshards ORDER BY nodeid"
          + " LIMIT 2), 'block_writes')");
      ShardMap uneven = ShardMap.read(c, TABLE).orElseThrow();
      assertEquals(7, uneven.shards().size());
      assertFalse(uneven.shards().stream().anyMatch(s -> s.id() == first));
      assertRoutesAsCitus(c, uneven, 2);
    }
  }

  @Test
  void tablesThatAreNotHashDistributedHaveNoMap() throws SQLException {
    TestCitus.assumeAvailable();
    String db = TestCitus.freshDatabase("shard_map_ref");
    try (Connection c = TestCitus.connect(db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE countries (code text PRIMARY KEY); SELECT create_reference_table('countries');"
          + " CREATE TABLE local_only (id int)");
      assertEquals(Optional.empty(), ShardMap.read(c, "countries"));
      assertEquals(Optional.empty(), ShardMap.read(c, "local_only"));
    }
  }

  @Test
  void aPlainPostgresqlTargetHasNoMaps() throws SQLException {
    String db = TestPostgres.freshDatabase("shard_map_plain");
    TestPostgres.execute(db, "CREATE TABLE items (id int)");
    try (Connection c = TestPostgres.connect(db)) {
      assertEquals(Optional.empty(), ShardMap.read(c, "items"));
    }
  }
}
