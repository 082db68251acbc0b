package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data phase on a real Flink session cluster: a JobManager and two TaskManagers, each its own
 * JVM, started by {@code scripts/flink-cluster.sh}; each migration is the launcher jar in a child
 * JVM submitting to it with the job jar staged, as a user runs it. The runs share the cluster and go
 * in order: a clean run (checked against the Direct runner's target row by row), one into Citus, a
 * run that loses a TaskManager and recovers, a run that loses them all, fails, and is finished by
 * {@code --resume}, and the job jar run by Flink's own client ({@code flink run}).
 */
@TestMethodOrder(OrderAnnotation.class)
class FlinkClusterIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPT = ROOT.resolve("scripts/flink-cluster.sh");
  private static final Path LAUNCHER = Path.of("target/pg2citus.jar").toAbsolutePath();
  private static final List<String> TABLES = List.of("companies", "campaigns", "ads", "clicks", "impressions");
  /** Small partitions, so that a run is still copying when a TaskManager is killed. */
  private static final String YAML = """
      distribute:
        - companies using id
      load:
        split-threshold: 10000
      """;

  @TempDir
  static Path clusterDir;
  private static int port;
  private static String source;

  @BeforeAll
  static void startClusterAndSource() throws Exception {
    port = freePort();
    // A job with no TaskManager left waits this long for slots at each restart, not 5 minutes.
    cluster("start", "--taskmanagers", "2", "--slots", "2", "--port", String.valueOf(port),
        "--conf", "slot.request.timeout=10000");
    source = TestPostgres.freshDatabase("flink_src");
    TestPostgres.execute(source, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster("stop");
    for (Path pid : pidFiles()) {
      throw new AssertionError("stop left " + pid);
    }
  }

  @Test
  @Order(1)
  void clusterRunGivesTheDirectRunnersTargetRowForRow(@TempDir Path dir) throws Exception {
    String onCluster = TestPostgres.freshDatabase("flink_dst");
    Run run = migrate(dir, onCluster, "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port, "--parallelism=2");
    assertEquals(0, run.waitFor(), run::log);
    assertTrue(run.log().contains("migration complete"), run::log);

    String direct = TestPostgres.freshDatabase("direct_dst");
    Run local = migrate(dir, direct, "--runner=DirectRunner");
    assertEquals(0, local.waitFor(), local::log);
    for (String table : TABLES) {
      assertEquals(digest(TestPostgres::connect, direct, table, "t.*"),
          digest(TestPostgres::connect, onCluster, table, "t.*"),
          table + ": the same rows as the Direct runner's target, every column");
    }
    assertSameRowsAsSource(onCluster);
  }

  @Test
  @Order(2)
  void clusterRunIntoCitus(@TempDir Path dir) throws Exception {
    TestCitus.assumeAvailable();
    String target = TestCitus.freshDatabase("flink_citus");
    Path config = dir.resolve("citus.yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(source) + "'\ntarget:\n  url: '"
        + TestCitus.jdbcUrl(target) + "?user=" + TestCitus.user() + "'\n" + YAML);
    Run run = start(dir, config, "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port, "--parallelism=2");
    assertEquals(0, run.waitFor(), run::log);
    for (String table : TABLES) {
      String columns = sourceColumns(table);
      assertEquals(digest(TestPostgres::connect, source, table, columns),
          digest(TestCitus::connect, target, table, columns), table + ": every source row on Citus, exactly");
    }
  }

  @Test
  @Order(3)
  void killedTaskManagerIsSurvivedWithEveryRowOnce(@TempDir Path dir) throws Exception {
    String target = TestPostgres.freshDatabase("flink_kill_dst");
    Run run = migrate(dir, target, "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port, "--parallelism=2");
    awaitSomePartitionsDone(target, run);
    kill(taskManagerPids().get(0));
    long[] atKill = RunRecord.partitions(target);
    assertTrue(atKill[0] < atKill[1], "partitions were left to copy when the TaskManager died");

    assertEquals(0, run.waitFor(), run::log);
    assertSameRowsAsSource(target);
    cluster("taskmanager"); // back to two for the next run
  }

  @Test
  @Order(4)
  void jobThatCannotRecoverFailsClearlyAndResumeFinishesIt(@TempDir Path dir) throws Exception {
    String target = TestPostgres.freshDatabase("flink_lost_dst");
    String[] flink = {"--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port, "--parallelism=2"};
    Run run = migrate(dir, target, flink);
    awaitSomePartitionsDone(target, run);
    for (long pid : taskManagerPids()) {
      kill(pid);
    }
    long[] atKill = RunRecord.partitions(target);
    assertTrue(atKill[0] < atKill[1], "partitions were left to copy when the TaskManagers died");

    assertNotEquals(0, run.waitFor(), run::log);
    assertTrue(run.log().contains("migrate --resume"), run::log);
    assertTrue(run.log().contains("migration NOT complete"), run::log);

    cluster("taskmanager");
    Run resumed = migrate(dir, target, concat(flink, "--resume"));
    assertEquals(0, resumed.waitFor(), resumed::log);
    assertSameRowsAsSource(target);
  }

  @Test
  @Order(5)
  void jobJarRunsUnderFlinksOwnClientAndDetachedIsRefused(@TempDir Path dir) throws Exception {
    Path jobJar = Path.of("target", FlinkSubmission.JOB_JAR).toAbsolutePath();
    String target = TestPostgres.freshDatabase("flink_run_dst");
    Path config = plainTargetConfig(dir, target);
    List<String> migrate = List.of("-c", "dev.pg2citus.cli.Pg2Citus", jobJar.toString(), "migrate", "--config",
        config.toString(), "--rejects-dir", dir.resolve("rejects").toString(), "--summary-json",
        dir.resolve("summary.json").toString(), "--parallelism=2");

    List<String> detached = new ArrayList<>(List.of("-d"));
    detached.addAll(migrate);
    String refused = clusterOutput(2, "run", detached);
    assertTrue(refused.contains("a detached Flink job cannot be used"), refused);
    assertEquals(0, TestPostgres.scalar(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "a refused submission writes nothing");

    String ran = clusterOutput(0, "run", migrate);
    assertTrue(ran.contains("migration complete"), ran);
    assertSameRowsAsSource(target);
  }

  /** Every table holds the source's rows, each once, identical in every source column. */
  private static void assertSameRowsAsSource(String target) throws SQLException {
    for (String table : TABLES) {
      String columns = sourceColumns(table);
      assertEquals(digest(TestPostgres::connect, source, table, columns),
          digest(TestPostgres::connect, target, table, columns), table + ": every source row exactly once");
    }
  }

  /** The source table's columns, in order (the target also has the distribution columns pg2citus added). */
  private static String sourceColumns(String table) throws SQLException {
    try (Connection c = TestPostgres.connect(source); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)"
            + " FROM pg_attribute WHERE attrelid = '" + table + "'::regclass AND attnum > 0 AND NOT attisdropped")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * The row count and an md5 of the rows' text ({@code columns} of each) in a fixed order: equal
   * digests, equal rows — none missing, none twice, none different.
   */
  private static String digest(Connector connector, String database, String table, String columns)
      throws SQLException {
    try (Connection c = connector.connect(database); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(r, E'\\n'"
            + " ORDER BY r), '')) FROM (SELECT ROW(" + columns + ")::text AS r FROM " + table + " t) rows")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private interface Connector {
    Connection connect(String database) throws SQLException;
  }

  private static void awaitSomePartitionsDone(String target, Run run) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline && run.process.isAlive()) {
      long[] p = RunRecord.partitions(target);
      if (p != null && p[0] > 0 && p[0] < p[1]) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the run ended or stalled before a TaskManager could be killed:\n" + run.log());
  }

  private Run migrate(Path dir, String target, String... args) throws IOException {
    return start(dir, plainTargetConfig(dir, target), args);
  }

  /** A configuration from the shared source into {@code target}, a plain PostgreSQL database. */
  private static Path plainTargetConfig(Path dir, String target) throws IOException {
    Path config = dir.resolve(target + ".yaml");
    Files.writeString(config, "source:\n  url: '" + TestPostgres.jdbcUrlWithUser(source) + "'\ntarget:\n  url: '"
        + TestPostgres.jdbcUrlWithUser(target) + "'\n  plain-postgresql: true\n" + YAML);
    return config;
  }

  private static int runs;

  /** {@code migrate} in a child JVM from the launcher jar, as {@code scripts/pg2citus} runs it. */
  private static Run start(Path dir, Path config, String... args) throws IOException {
    Path log = dir.resolve("migrate-" + ++runs + ".log");
    List<String> command = new ArrayList<>(List.of(java(), "-jar", LAUNCHER.toString(), "migrate",
        "--config", config.toString(), "--rejects-dir", dir.resolve("rejects").toString(),
        "--summary-json", dir.resolve("summary-" + runs + ".json").toString(), "--progress-seconds", "2"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Run(p, log);
  }

  private record Run(Process process, Path logFile) {
    int waitFor() throws InterruptedException {
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("migrate did not end within 5 minutes:\n" + log());
      }
      return process.exitValue();
    }

    String log() {
      try {
        return Files.readString(logFile);
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }
  }

  private static void cluster(String command, String... args) throws Exception {
    clusterOutput(0, command, List.of(args));
  }

  /** Runs {@code scripts/flink-cluster.sh --dir DIR COMMAND ARGS}, expects {@code exit}, returns its output. */
  private static String clusterOutput(int exit, String command, List<String> args) throws Exception {
    List<String> line = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--dir", clusterDir.toString(), command));
    line.addAll(args);
    Path log = clusterDir.resolve("script-" + command + ".log");
    Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(300, TimeUnit.SECONDS);
    String output = Files.readString(log);
    assertTrue(ended, () -> "flink-cluster.sh " + command + " hangs:\n" + output);
    assertEquals(exit, p.exitValue(), () -> "flink-cluster.sh " + command + ":\n" + output);
    return output;
  }

  private static List<Path> pidFiles() throws IOException {
    Path pids = clusterDir.resolve("pid");
    if (!Files.isDirectory(pids)) {
      return List.of();
    }
    try (var files = Files.list(pids)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList();
    }
  }

  private static List<Long> taskManagerPids() throws IOException {
    List<Long> result = new ArrayList<>();
    for (Path f : pidFiles()) {
      if (f.getFileName().toString().startsWith("taskmanager")) {
        long pid = Long.parseLong(Files.readString(f).trim());
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          result.add(pid);
        }
      }
    }
    assertTrue(!result.isEmpty(), "no TaskManager runs");
    return result;
  }

  /** SIGKILL: the TaskManager gets no chance to cancel its tasks or close its connections. */
  private static void kill(long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-9", String.valueOf(pid)).start();
    assertEquals(0, p.waitFor());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String[] concat(String[] a, String b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + 1);
    r[a.length] = b;
    return r;
  }
}
