package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A copy worker's connection terminated in the middle of a partition ({@code pg_terminate_backend}
 * from another connection, as a DBA or a failover would): the partition is rolled back and copied
 * again, every row lands once, and the summary says which partition was retried and why. When the
 * connection keeps being lost, the run stops after {@code load.partition-retries}, naming the
 * database, the partition and the reason, and a {@code --resume} completes it exactly.
 */
class LostConnectionTest {
  private static final String PASSWORD = "Lost-Conn-S3cret";
  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL);
      INSERT INTO items SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 200000) i;
      """;
  /** A worker's COPY on each side; the launcher's own connections are left alone. */
  private static final String TARGET_COPY = "COPY %FROM STDIN";
  private static final String SOURCE_COPY = "COPY (SELECT%TO STDOUT";

  @ParameterizedTest(name = "terminated on the {0}")
  @ValueSource(strings = {"source", "target"})
  void aPartitionWhoseConnectionIsTerminatedIsCopiedAgainExactlyOnce(String side) throws Exception {
    String src = TestPostgres.freshDatabase("lost_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestPostgres.freshDatabase("lost_dst");
    MigrationSummary summary;
    try (Terminator terminator = new Terminator(side.equals("source") ? src : dst,
        side.equals("source") ? SOURCE_COPY : TARGET_COPY, 1)) {
      summary = Migrations.run(config(src, dst, 3));
      assertEquals(1, terminator.terminated(), "one backend was terminated mid-partition");
    }

    assertTrue(summary.ok(), summary::render);
    assertEquals(200_000, summary.tables().get(0).targetRows(), summary::render);
    assertEquals(TestPostgres.scalar(src, "SELECT sum(hashtext(id || payload)) FROM items"),
        TestPostgres.scalar(dst, "SELECT sum(hashtext(id || payload)) FROM items"), "the same rows, each once");
    assertRetriedOnce(summary, "public.items", side, side.equals("source") ? src : dst);
    assertFalse(summary.render().contains(PASSWORD), summary::render);
  }

  /** On Citus: the coordinator backend of a worker's COPY into a distributed table is terminated. */
  @Test
  void aPartitionWhoseCitusConnectionIsTerminatedIsCopiedAgainExactlyOnce() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("lost_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestCitus.freshDatabase("lost_citus_dst");
    MigrationSummary summary;
    try (Terminator terminator = new Terminator(() -> TestCitus.connect("postgres"), dst, TARGET_COPY, 1)) {
      summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(), """
          distribute:
            - items using id
          load:
            include-drop: true
            partitions-per-table: 2
            batch-rows: 5000
            retry-backoff: 200ms
          """));
      assertEquals(1, terminator.terminated(), "one backend was terminated mid-partition");
    }

    assertTrue(summary.ok(), summary::render);
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, "SELECT sum(hashtext(id || payload)) FROM items"))),
          TestPostgres.rows(c, "SELECT sum(hashtext(id || payload)) FROM items"), "the same rows, each once");
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_prepared_xacts"),
          "no transaction left prepared");
    }
    assertRetriedOnce(summary, "public.items", "target", dst);
  }

  /** The shuffle path: the rows arrive grouped by partition, and only the target connection can be lost. */
  @Test
  void aShuffledPartitionWhoseTargetConnectionIsTerminatedIsWrittenAgainExactlyOnce() throws Exception {
    String src = TestPostgres.freshDatabase("lost_src");
    TestPostgres.execute(src, """
        CREATE TABLE companies (id bigint PRIMARY KEY);
        CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id));
        CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint NOT NULL REFERENCES campaigns (id),
            payload text NOT NULL);
        INSERT INTO companies SELECT generate_series(1, 10);
        INSERT INTO campaigns SELECT i, 1 + i % 10 FROM generate_series(1, 100) i;
        INSERT INTO ads SELECT i, 1 + i % 100, repeat(md5(i::text), 4) FROM generate_series(1, 40000) i;
        """);
    String dst = TestPostgres.freshDatabase("lost_dst");
    MigrationSummary summary;
    try (Terminator terminator = new Terminator(dst, "COPY \"public\".\"ads\"%FROM STDIN", 1)) {
      summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestPostgres.jdbcUrl(dst),
          TestPostgres.user(), """
          distribute:
            - companies using id
          load:
            include-drop: true
            partitions-per-table: 2
            batch-rows: 1000
            side-input-max-keys: 0
            retry-backoff: 200ms
          """).withPlainTarget());
      assertEquals(1, terminator.terminated(), "one backend was terminated mid-partition");
    }

    assertTrue(summary.ok(), summary::render);
    assertEquals(TestPostgres.scalar(src, "SELECT sum(hashtext(a.id || a.payload || c.company_id)) FROM ads a"
            + " JOIN campaigns c ON c.id = a.campaign_id"),
        TestPostgres.scalar(dst, "SELECT sum(hashtext(id || payload || company_id)) FROM ads"),
        "the same rows with their company, each once");
    assertRetriedOnce(summary, "public.ads", "target", dst);
  }

  @Test
  void aConnectionLostAgainAndAgainStopsTheRunNamingWhereAndWhyAndResumeFinishesIt() throws Exception {
    String src = TestPostgres.freshDatabase("lost_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestPostgres.freshDatabase("lost_dst");
    MigrationSummary failed;
    try (Terminator terminator = new Terminator(dst, TARGET_COPY, Integer.MAX_VALUE)) {
      failed = Migrations.run(config(src, dst, 1));
      assertTrue(terminator.terminated() >= 2, "terminated " + terminator.terminated());
    }
    assertFalse(failed.ok(), failed::render);
    List<String> errors = dataPhase(failed).errors();
    assertEquals(1, errors.size(), failed::render);
    String error = errors.get(0);
    assertTrue(error.matches("(?s).*lost the connection to the target 127\\.0\\.0\\.1:\\d+/" + dst
        + " during public\\.items partition \\d+ \\(after 1 retry\\): .+; run migrate --resume to continue.*"),
        error);
    // The server's reason when it could send one, else the driver's: the socket closed under a COPY.
    assertTrue(error.contains("terminating connection due to administrator command")
        || error.contains("Database connection failed"), error);
    assertFalse(failed.render().contains(PASSWORD), failed::render);

    MigrationSummary resumed = Migrations.run(config(src, dst, 1), true, Migrations.rejectsDir());
    assertTrue(resumed.ok(), resumed::render);
    assertEquals(TestPostgres.scalar(src, "SELECT sum(hashtext(id || payload)) FROM items"),
        TestPostgres.scalar(dst, "SELECT sum(hashtext(id || payload)) FROM items"), "the same rows, each once");
    assertEquals(200_000, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
  }

  /**
   * Two partitions in batches of 5,000 rows, retried {@code retries} times and no longer (no outage
   * wait); the target URL carries a password, which must show nowhere.
   */
  private static MigrationConfig config(String src, String dst, int retries) {
    return TestConfigs.of(TestPostgres.jdbcUrl(src), TestPostgres.jdbcUrl(dst) + "?password=" + PASSWORD,
        TestPostgres.user(), """
        load:
          include-drop: true
          partitions-per-table: 2
          batch-rows: 5000
          partition-retries: %d
          retry-backoff: 200ms
          outage-wait: 0s
        """.formatted(retries)).withPlainTarget();
  }

  /** The summary's data phase notes that a partition of {@code table} was copied again after {@code side} was lost. */
  private static void assertRetriedOnce(MigrationSummary summary, String table, String side, String database) {
    List<String> notes = dataPhase(summary).notes();
    assertTrue(notes.stream().anyMatch(n -> n.matches(Pattern.quote(table) + " partition \\d+: copied again 1 time"
        + " after the connection to the " + side + " 127\\.0\\.0\\.1:\\d+/" + database + " was lost \\(.+\\)")),
        notes::toString);
  }

  private static MigrationSummary.Phase dataPhase(MigrationSummary summary) {
    return summary.phases().stream().filter(p -> p.name().equals("data")).findFirst()
        .orElseThrow(() -> new AssertionError(summary.render()));
  }

  /**
   * Terminates, from a connection of its own, a backend of {@code database} running a query like
   * {@code query}, or between two such in its open transaction, whenever there is one, one at a
   * time, until it has terminated {@code times}.
   */
  private static final class Terminator implements AutoCloseable {
    /** A connection to the server whose backends are terminated. */
    interface Server {
      Connection connect() throws SQLException;
    }


    private final AtomicInteger terminated = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stop;

    /** On the shared PostgreSQL server. */
    Terminator(String database, String query, int times) {
      this(() -> TestPostgres.connect("postgres"), database, query, times);
    }

    Terminator(Server server, String database, String query, int times) {
      thread = new Thread(() -> {
        try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity"
                + " WHERE datname = ? AND query LIKE ?"
                + " AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid() LIMIT 1) b")) {
          ps.setString(1, database);
          ps.setString(2, query);
          while (!stop && terminated.get() < times) {
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              terminated.addAndGet(rs.getInt(1));
            }
            Thread.sleep(5);
          }
        } catch (SQLException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "terminator");
      thread.start();
    }

    int terminated() {
      return terminated.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join();
    }
  }
}
