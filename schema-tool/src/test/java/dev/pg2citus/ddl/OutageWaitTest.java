package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.testing.TestPostgres;
import java.net.ServerSocket;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The launcher's own work on a target that is gone is tried again for the outage wait, and no longer. */
class OutageWaitTest {
  private static final String PASSWORD = "outage-Secret-3";

  @Test
  void aTargetThatDoesNotComeBackIsTriedForTheWaitThenNamedWithWhatToDo() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // nothing listens there once closed: connections are refused
    }
    ConnectionSpec gone = ConnectionSpec.fromUrl("jdbc:postgresql://127.0.0.1:" + port + "/app?user=app&password="
        + PASSWORD);
    AtomicInteger tries = new AtomicInteger();
    long start = System.nanoTime();
    SQLException e = assertThrows(SQLException.class, () -> new OutageWait(Duration.ofMillis(100),
        Duration.ofSeconds(1)).onConnection(gone, "verification of public.items", "run migrate --resume", c -> {
          tries.incrementAndGet();
          return null;
        }));
    assertTrue(System.nanoTime() - start >= Duration.ofSeconds(1).toNanos(), "waited for load.outage-wait");
    assertEquals(0, tries.get(), "the work never ran: no connection opened");
    assertTrue(e.getMessage().startsWith("verification of public.items: lost the connection to the target, not back"
        + " within load.outage-wait (1 s; tried again "), e.getMessage());
    assertTrue(e.getMessage().endsWith("; run migrate --resume"), e.getMessage());
    assertTrue(e.getMessage().contains("Connection to 127.0.0.1:" + port + " refused"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
  }

  @Test
  void anErrorThatIsNotALostConnectionIsThrownAtOnceAsItIs() {
    ConnectionSpec target = ConnectionSpec.fromUrl(TestPostgres.jdbcUrlWithUser("postgres"));
    AtomicInteger tries = new AtomicInteger();
    SQLException e = assertThrows(SQLException.class, () -> new OutageWait(Duration.ofMillis(100),
        Duration.ofMinutes(3)).onConnection(target, "verification", "run migrate --resume", c -> {
          tries.incrementAndGet();
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"no such table\"")) {
            return rs.next();
          }
        }));
    assertEquals(1, tries.get());
    assertEquals("42P01", e.getSQLState());
    assertTrue(e.getMessage().startsWith("ERROR: relation \"no such table\" does not exist"), e.getMessage());
  }
}
