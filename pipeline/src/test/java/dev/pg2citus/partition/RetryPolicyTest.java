package dev.pg2citus.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.testing.TestPostgres;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker whose connections the runner closed under it (its teardown, when another worker's
 * error ends the data phase) lost no connection: it stops without a retry, and opens nothing again.
 */
class RetryPolicyTest {
  private static ConnectionSpec target() throws SQLException {
    String db = TestPostgres.freshDatabase("retry_dst");
    return TestConfigs.onTestPostgres(db, db, "").target();
  }

  @Test
  void aWorkerStoppedUnderARunningAttemptIsNotRetried() throws SQLException {
    WorkerConnections connections = new WorkerConnections(null, target());
    RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1));
    ReadPartition partition = new ReadPartition("public.t", 0, "true", 1);
    AtomicInteger attempts = new AtomicInteger();
    SQLException stopped = assertThrows(SQLException.class, () -> policy.run(connections, partition, again -> {
      attempts.incrementAndGet();
      connections.stop(); // as the runner's teardown does, from its own thread
      try (Statement st = connections.target().createStatement()) {
        return st.execute("SELECT 1");
      }
    }));
    assertEquals(1, attempts.get(), "no retry");
    assertEquals("57014", stopped.getSQLState());
    assertTrue(stopped.getMessage().contains("copy worker stopped during public.t partition 0"), stopped.getMessage());

    SQLException again = assertThrows(SQLException.class, () -> policy.run(connections, null, p -> {
      attempts.incrementAndGet();
      return null;
    }));
    assertEquals(1, attempts.get(), "a stopped worker opens nothing again: " + again.getMessage());
  }
}
