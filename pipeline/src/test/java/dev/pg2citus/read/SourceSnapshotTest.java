package dev.pg2citus.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resume takes the earlier run's snapshot again while the session that exported it still holds
 * it, and a new one once it is gone; the write counters read before the snapshot move with writes
 * to the table and not with writes elsewhere.
 */
class SourceSnapshotTest {
  private static final Map<String, String> ITEMS = Map.of("public.items", "\"public\".\"items\"");

  @Test
  void theEarlierSnapshotIsImportedWhileItIsHeld() throws Exception {
    String db = TestPostgres.freshDatabase("snap_import");
    TestPostgres.execute(db, "CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2)");
    ConnectionSpec spec = ConnectionSpec.fromUrl(TestPostgres.jdbcUrlWithUser(db));
    String earlier;
    try (Connection holder = TestPostgres.connect(db)) {
      holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      holder.setAutoCommit(false);
      earlier = scalarText(holder, "SELECT pg_export_snapshot()");
      TestPostgres.execute(db, "INSERT INTO items VALUES (3)");
      try (SourceSnapshot again = SourceSnapshot.open(spec, true, earlier, ITEMS)) {
        assertTrue(again.imported());
        assertEquals("2", scalarText(again.connection(), "SELECT count(*) FROM items"), "the earlier moment");
      }
    }
    try (SourceSnapshot fresh = SourceSnapshot.open(spec, true, earlier, ITEMS)) {
      assertFalse(fresh.imported(), "its session ended: a new snapshot");
      assertEquals("3", scalarText(fresh.connection(), "SELECT count(*) FROM items"));
    }
  }

  @Test
  void theCountersMoveWithWritesToTheTableOnly() throws Exception {
    String db = TestPostgres.freshDatabase("snap_counters");
    TestPostgres.execute(db, "CREATE TABLE items (id int); CREATE TABLE other (id int); INSERT INTO items VALUES (1)");
    try (Connection c = TestPostgres.connect(db)) {
      SourceChanges before = settled(c);
      TestPostgres.execute(db, "INSERT INTO other VALUES (1)");
      TestPostgres.execute(db, "VACUUM ANALYZE items");
      assertEquals(0, settled(c).changedSince(before).size(), "another table, vacuum and analyze");
      TestPostgres.execute(db, "UPDATE items SET id = 2");
      assertEquals(1, settled(c).changedSince(before).size(), "an update");
      SourceChanges updated = settled(c);
      TestPostgres.execute(db, "TRUNCATE items");
      assertEquals(1, settled(c).changedSince(updated).size(), "a truncate, which counts no rows");
    }
  }

  /** The counters once the writing sessions' own have reached the server. */
  private static SourceChanges settled(Connection c) throws Exception {
    Thread.sleep(SourceChanges.SETTLE_MILLIS);
    return SourceChanges.read(c, ITEMS);
  }

  private static String scalarText(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
