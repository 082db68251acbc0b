package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Production databases often set timeouts for every session of a role or database; pg2citus' own
 * sessions turn them off after connecting, as pg_dump does: a snapshot held idle for the whole run,
 * a COPY of a big table and an index build must not be cut short.
 */
class SessionTimeoutsTest {
  /** Short enough for a copy, an index build and the idle snapshot to outlast, long enough for a SET. */
  private static final List<String> TIMEOUTS = List.of("statement_timeout = '100ms'", "lock_timeout = '100ms'",
      "idle_in_transaction_session_timeout = '200ms'", "idle_session_timeout = '200ms'");

  @Test
  void timeoutsOfTheSourceAndTargetDatabasesDoNotCutTheRunShort() throws Exception {
    String src = TestPostgres.freshDatabase("timeouts_src");
    TestPostgres.execute(src, """
        CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL);
        INSERT INTO events SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 200000) i;
        CREATE INDEX events_payload ON events (payload);
        """);
    String dst = TestPostgres.freshDatabase("timeouts_dst");
    for (String db : List.of(src, dst)) {
      for (String timeout : TIMEOUTS) {
        TestPostgres.execute(db, "ALTER DATABASE " + db + " SET " + timeout);
      }
    }
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, "").withPlainTarget());
    assertTrue(summary.ok(), summary::render);
    assertEquals(200_000, summary.tables().get(0).targetRows(), summary::render);
  }

  @Test
  void onCitusTheTimeoutsOfTheCoordinatorsDatabaseDoNotCutTheRunShort() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("timeouts_csrc");
    TestPostgres.execute(src, """
        CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL);
        INSERT INTO events SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 200000) i;
        """);
    String dst = TestCitus.freshDatabase("timeouts_cdst");
    TestCitus.setOnCoordinator(dst, TIMEOUTS); // the workers' own sessions keep what their databases set
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), "distribute: [events using id]\n"));
    assertTrue(summary.ok(), summary::render);
    assertEquals(200_000, summary.tables().get(0).targetRows(), summary::render);
  }
}
