package dev.pg2citus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A connection that fails says why — refused, no such database, authentication failed — next to
 * the masked URL, and the password is nowhere in the message, also not after the command line
 * masks it once more.
 */
class ConnectionFailureTest {
  private static final String PASSWORD = "S3cr3t-pw";

  @Test
  void refusedConnectionSaysSo() {
    String message = failure(ConnectionSpec.fromUrl("jdbc:postgresql://127.0.0.1:1/db?user=app&password=" + PASSWORD));
    assertShows(message, "jdbc:postgresql://127.0.0.1:1/db?user=app&password=***", "refused");
  }

  @Test
  void missingDatabaseSaysSo() {
    String url = TestPostgres.jdbcUrl("no_such_db") + "?user=" + TestPostgres.user() + "&password=" + PASSWORD;
    assertShows(failure(ConnectionSpec.fromUrl(url)), "password=***", "database \"no_such_db\" does not exist");
  }

  @Test
  void failedAuthenticationSaysSo() throws SQLException {
    String role = "pg2citus_pw_user";
    TestPostgres.passwordRole(role, "the-right-one", "");
    // The password in the URL, then in the spec (from the YAML or PGPASSWORD).
    String inUrl = failure(ConnectionSpec.fromUrl(TestPostgres.jdbcUrl("postgres") + "?user=" + role
        + "&password=" + PASSWORD));
    assertShows(inUrl, "password=***", "password authentication failed for user \"" + role + "\"");
    String inSpec = failure(new ConnectionSpec(TestPostgres.jdbcUrl("postgres"), role, PASSWORD, Map.of()));
    assertShows(inSpec, " as " + role, "password authentication failed for user \"" + role + "\"");
  }

  @Test
  void theDriversReasonLosesEveryFormOfThePassword() {
    ConnectionSpec spec = new ConnectionSpec("jdbc:postgresql://h/db?password=p%40ss+w", "app", "yaml-pw", Map.of());
    String masked = spec.withoutSecrets("bad: p%40ss+w, p@ss w and yaml-pw");
    assertEquals("bad: ***, *** and ***", masked);
  }

  @Test
  void addressNamesHostPortAndDatabaseOnly() {
    assertEquals("db.internal:5433/app",
        ConnectionSpec.fromUrl("postgresql://app:pw@db.internal:5433/app?sslmode=require").address());
    assertEquals("db.internal:5432/app", ConnectionSpec.fromUrl("jdbc:postgresql://db.internal/app?password=x").address());
    assertEquals("localhost:5432/app", ConnectionSpec.fromUrl("jdbc:postgresql:app").address());
  }

  private static String failure(ConnectionSpec spec) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Connection c = spec.open()) {
        // The server reloads its configuration asynchronously: wait for the password rule to apply.
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("connected to " + spec);
        }
        Thread.sleep(100);
      } catch (SQLException e) {
        return e.getMessage();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The message names the (masked) database and the reason, as it is and as the command line prints it. */
  private static void assertShows(String message, String where, String reason) {
    for (String text : List.of(message, ConnectionSpec.redact(message))) {
      assertTrue(text.startsWith("cannot connect to "), text);
      assertTrue(text.contains(where), text);
      assertTrue(text.contains(reason), text);
      assertFalse(text.contains(PASSWORD), text);
    }
  }
}
