package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run at a time per target, on Citus (a coordinator and two workers): a second {@code migrate}
 * into a target that a run is writing refuses at once (exit 2) naming the running one, two started
 * at the same instant end with one exact target and one refusal, and {@code --wait} waits for the
 * first to end instead.
 */
class OneRunPerTargetTest {
  static final String SOURCE = """
      CREATE TABLE companies (id bigint PRIMARY KEY, name text NOT NULL);
      CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id),
          name text NOT NULL);
      CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint NOT NULL REFERENCES campaigns (id),
          payload text NOT NULL);
      CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
      INSERT INTO countries VALUES ('NL', 'Netherlands'), ('DE', 'Germany');
      INSERT INTO companies SELECT i, 'company ' || i FROM generate_series(1, 50) i;
      INSERT INTO campaigns SELECT i, 1 + i % 50, 'campaign ' || i FROM generate_series(1, 500) i;
      INSERT INTO ads SELECT i, 1 + i % 500, repeat(md5(i::text), 3) FROM generate_series(1, 60000) i;
      """;
  static final String RULES = """
      distribute:
        - companies using id
        - campaigns using company_id
        - ads using company_id from campaigns
      load:
        include-drop: true
        partitions-per-table: 4
        batch-rows: 5000
      """;

  @Test
  void aSecondRunIsRefusedNamingTheRunningOneAndTheFirstEndsExact(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("onerun_dst");
    Path config = config(dir, src, dst);
    CompletableFuture<CliRun> first = firstHoldingTheLock(config, dir, dst);
    CliRun second = migrate(config, dir, "second");
    assertEquals(ExitCodes.BAD_INPUT, second.exitCode(), second::all);
    assertTrue(second.err().contains("another pg2citus run is writing to")
        && second.err().contains("pg2citus migrate since ") && second.err().contains("--wait"), second::all);
    assertTrue(!second.all().contains("Exception"), second::all);

    CliRun done = first.get();
    assertEquals(ExitCodes.OK, done.exitCode(), done::all);
    assertExact(src, dst);
  }

  @Test
  void twoRunsStartedAtTheSameInstantEndWithOneExactTargetAndOneRefusal(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("onerun_dst");
    Path config = config(dir, src, dst);

    CyclicBarrier start = new CyclicBarrier(2);
    List<CompletableFuture<CliRun>> runs = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return migrate(config, dir, name);
      }));
    }
    List<CliRun> ended = new ArrayList<>();
    for (CompletableFuture<CliRun> run : runs) {
      ended.add(run.get());
    }
    String both = ended.get(0).all() + "\n----\n" + ended.get(1).all();
    assertEquals(1, ended.stream().filter(r -> r.exitCode() == ExitCodes.OK).count(), both);
    assertEquals(1, ended.stream().filter(r -> r.exitCode() == ExitCodes.BAD_INPUT
        && r.err().contains("another pg2citus run is writing to")).count(), both);
    assertTrue(!both.contains("pg_namespace_nspname_index"), both);
    assertExact(src, dst);
  }

  @Test
  void withWaitASecondRunWaitsForTheFirstToEnd(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("onerun_dst");
    Path config = config(dir, src, dst);
    CompletableFuture<CliRun> first = firstHoldingTheLock(config, dir, dst);
    CliRun second = CliRun.of("migrate", "--config", config.toString(), "--wait", "--rejects-dir",
        dir.resolve("rejects-second").toString(), "--summary-json", dir.resolve("second.json").toString());
    CliRun done = first.get();
    assertEquals(ExitCodes.OK, done.exitCode(), done::all);
    assertEquals(ExitCodes.OK, second.exitCode(), second::all);
    assertExact(src, dst);
  }

  static String source() throws Exception {
    String src = TestPostgres.freshDatabase("onerun_src");
    TestPostgres.execute(src, SOURCE);
    return src;
  }

  static Path config(Path dir, String src, String dst) throws Exception {
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(src) + "'\ntarget:\n  url: '"
        + TestCitus.jdbcUrl(dst) + "?user=" + TestCitus.user() + "'\n" + RULES);
    return config;
  }

  static CliRun migrate(Path config, Path dir, String name) {
    return CliRun.of("migrate", "--config", config.toString(), "--rejects-dir", dir.resolve("rejects-" + name)
        .toString(), "--summary-json", dir.resolve(name + ".json").toString());
  }

  /** A migrate started in the background, returned once it holds the target. */
  private static CompletableFuture<CliRun> firstHoldingTheLock(Path config, Path dir, String dst) throws Exception {
    CompletableFuture<CliRun> first = CompletableFuture.supplyAsync(() -> migrate(config, dir, "first"));
    awaitLockHeld(dst, first);
    return first;
  }

  /** Waits until a pg2citus run holds the lock on {@code dst} (its session names it), or {@code run} ended. */
  static void awaitLockHeld(String dst, CompletableFuture<CliRun> run) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    try (Connection c = TestCitus.connect(dst)) {
      while (System.currentTimeMillis() < deadline && !run.isDone()) {
        if (!TestPostgres.rows(c, "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
            + " AND a.application_name LIKE 'pg2citus migrate%'").isEmpty()) {
          return;
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no run took the lock: " + (run.isDone() ? run.get().all() : "timed out"));
  }

  /** Every source row once, and every key of the source on the target. */
  static void assertExact(String src, String dst) throws Exception {
    try (Connection c = TestCitus.connect(dst)) {
      for (String table : List.of("companies", "campaigns", "ads")) {
        assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, "SELECT count(*) FROM " + table))),
            TestPostgres.rows(c, "SELECT count(*) FROM " + table), table);
      }
      assertEquals(List.of(String.valueOf(TestPostgres.scalar(src, "SELECT sum(hashtext(id || payload)) FROM ads"))),
          TestPostgres.rows(c, "SELECT sum(hashtext(id || payload)) FROM ads"), "ads, each row once");
      assertEquals(List.of("4", "2"), List.of(
          TestPostgres.rows(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND connamespace ="
              + " 'public'::regnamespace").get(0),
          TestPostgres.rows(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace ="
              + " 'public'::regnamespace").get(0)), "the primary and foreign keys");
    }
  }
}
