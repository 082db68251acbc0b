package dev.pg2citus.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class LocalPostgresTest {

  @Test
  void startsConnectsAndStopsOnClose() throws SQLException {
    LocalPostgres server = LocalPostgres.builder().withSetting("max_connections", "50").start();
    String odd = "My \"odd\" db";
    try (server) {
      server.createDatabase(odd);
      try (Connection c = server.connect(odd);
          Statement s = c.createStatement()) {
        assertEquals(odd, single(s, "select current_database()"));
        assertTrue(single(s, "select version()").contains("PostgreSQL"), server.describe());
        assertEquals("50", single(s, "show max_connections"));
        assertEquals("off", single(s, "show fsync"));
        assertEquals("UTF8", single(s, "show server_encoding"));
      }
      assertTrue(server.describe().startsWith("PostgreSQL "), server.describe());
    }
    assertThrows(SQLException.class, () -> server.connect("postgres").close());
    server.close(); // idempotent
  }

  @Test
  void sharedTestServerGivesFreshDatabases() throws SQLException {
    String first = TestPostgres.freshDatabase("Local Test");
    String second = TestPostgres.freshDatabase("Local Test");
    assertTrue(first.matches("local_test_\\d+"), first);
    assertTrue(!first.equals(second), first + " vs " + second);

    TestPostgres.execute(first, "create table t(id int); insert into t values (1), (2);");
    try (Connection c = TestPostgres.connect(first);
        Statement s = c.createStatement()) {
      assertEquals("2", single(s, "select count(*) from t"));
    }
    assertTrue(TestPostgres.jdbcUrl(first).endsWith("/" + first));
  }

  @Test
  void failedStartShowsTheServerLog() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LocalPostgres.builder().withSetting("shared_buffers", "plenty").start());
    assertTrue(e.getMessage().contains("shared_buffers"), e.getMessage());
  }

  @Test
  void rejectsSettingNamesThatCouldBreakTheConfigFile() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LocalPostgres.builder().withSetting("fsync = on\nport", "1"));
  }

  @Test
  void quotesIdentifiers() {
    assertEquals("\"My \"\"odd\"\" db\"", LocalPostgres.quoteIdent("My \"odd\" db"));
  }

  @Test
  void citusReasonIsGivenExactlyWhenCitusIsMissing() {
    String reason = LocalPostgres.citusUnavailableReason();
    assertEquals(reason == null, LocalPostgres.citusInstalled());
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }
}
