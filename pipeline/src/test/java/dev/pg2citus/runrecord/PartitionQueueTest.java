package dev.pg2citus.runrecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The data phase's work queue in the run record: each worker claims the smallest partition nobody
 * holds, a held one is skipped (not waited for), a rolled-back claim is free again, and a done one
 * is never handed out again.
 */
class PartitionQueueTest {
  private static final List<String> BOTH = List.of("public.a", "public.b");

  private static ReadPartition partition(String table, int number, long rows) {
    return new ReadPartition(table, number, "true", rows);
  }

  private static Connection worker(String db) throws SQLException {
    Connection c = TestPostgres.connect(db);
    c.setAutoCommit(false);
    return c;
  }

  private static PartitionQueue queue(Connection worker) {
    return RunRecord.on(worker).queue();
  }

  private static String name(ReadPartition p) {
    return p == null ? null : p.toString();
  }

  @Test
  void workersTakeTheSmallestFreePartitionAndSkipHeldOnes() throws SQLException {
    String db = TestPostgres.freshDatabase("queue");
    try (Connection setup = TestPostgres.connect(db); Connection one = worker(db); Connection two = worker(db);
        Connection three = worker(db)) {
      RunRecord.on(setup).begin();
      RunRecord.on(setup).queue().plan(List.of(partition("public.a", 0, 100), partition("public.a", 1, 5),
          partition("public.b", 0, 50), partition("public.c", 0, 1)));

      assertEquals("public.a partition 1", name(queue(one).claimNext(BOTH)), "smallest first");
      assertEquals("public.b partition 0", name(queue(two).claimNext(BOTH)), "a held partition is skipped");
      assertNull(queue(three).claimNext(List.of("public.b")), "nothing free in b");

      one.rollback(); // a worker that failed: its partition is free again
      assertEquals("public.a partition 1", name(queue(three).claimNext(BOTH)));
      queue(three).markDone(partition("public.a", 1, 5), new PartitionDone(5, 5, 0, 10, 1));
      three.commit();

      assertEquals("public.a partition 0", name(queue(one).claimNext(BOTH)), "a done partition is not handed out");
      assertNull(queue(three).claimNext(BOTH), "the rest are held");
      assertEquals("public.c partition 0", name(queue(three).claimNext(List.of("public.c"))),
          "only the tables asked for");
    }
  }
}
