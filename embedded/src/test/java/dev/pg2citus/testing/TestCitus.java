package dev.pg2citus.testing;

import dev.pg2citus.embedded.LocalCitusCluster;
import dev.pg2citus.embedded.LocalPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The Citus target that tests share, or the reason there is none. It is a local {@link
 * LocalCitusCluster} with two workers when the installed PostgreSQL has Citus, else a single-node
 * {@code citusdata/citus} container when Docker runs, else unavailable.
 *
 * <p>Start each Citus test with {@link #assumeAvailable()}, which skips it with the reason when
 * there is no target, then work in a database from {@link #freshDatabase(String)}. The target
 * starts on first use and is stopped when the JVM exits.
 */
public final class TestCitus {
  static final String IMAGE = "citusdata/citus:13.2";
  private static final int CONTAINER_PORT = 5432;
  private static final String USER = "postgres";

  private static Target target;
  private static String unavailableReason;
  private static RuntimeException startFailure;

  private TestCitus() {}

  /** Skips the calling test, with the reason, when there is no Citus to test against. */
  public static void assumeAvailable() {
    resolve();
    Assumptions.assumeTrue(unavailableReason == null, unavailableReason);
  }

  /**
   * Creates a database with the Citus extension, ready for distributed tables, and returns its
   * name.
   */
  public static String freshDatabase(String prefix) {
    String name = DatabaseNames.next(prefix);
    try {
      target().createDatabase(name);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create Citus test database " + name, e);
    }
    return name;
  }

  /** The JDBC URL of a database on the coordinator. */
  public static String jdbcUrl(String database) {
    return target().jdbcUrl(database);
  }

  /** The user to connect as; it needs no password. */
  public static String user() {
    return USER;
  }

  public static Connection connect(String database) throws SQLException {
    return target().connect(database);
  }

  /**
   * {@code ALTER DATABASE … SET} each of {@code settings} on the coordinator only, not propagated: the
   * workers' own sessions keep what their databases set.
   */
  public static void setOnCoordinator(String database, List<String> settings) throws SQLException {
    try (Connection c = connect(database); Statement st = c.createStatement()) {
      st.execute("SET citus.enable_ddl_propagation = off");
      for (String setting : settings) {
        st.execute("ALTER DATABASE " + database + " SET " + setting);
      }
    }
  }

  /** How many worker nodes hold shards besides the coordinator: 2 locally, 0 in the container. */
  public static int workerCount() {
    return target().workerCount();
  }

  /** What the target is, or why there is none. */
  public static String describe() {
    resolve();
    return target != null ? target.describe() : unavailableReason;
  }

  private static Target target() {
    resolve();
    if (target == null) {
      throw new IllegalStateException(
          unavailableReason + " (call TestCitus.assumeAvailable() first)");
    }
    return target;
  }

  /** Picks and starts the target once; a target that fails to start fails every test that asks. */
  private static synchronized void resolve() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (target != null || unavailableReason != null) {
      return;
    }
    try {
      String localReason = LocalPostgres.citusUnavailableReason();
      if (localReason == null) {
        target = new LocalTarget(LocalCitusCluster.start());
      } else if (dockerAvailable()) {
        target = ContainerTarget.start();
      } else {
        unavailableReason =
            "Citus tests skipped: no local citus extension ("
                + localReason
                + ") and no Docker engine";
        System.err.println(unavailableReason);
      }
    } catch (RuntimeException e) {
      startFailure = e;
      throw e;
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** A Citus coordinator to run tests against. */
  private interface Target {
    void createDatabase(String name) throws SQLException;

    String jdbcUrl(String database);

    Connection connect(String database) throws SQLException;

    int workerCount();

    String describe();
  }

  private record LocalTarget(LocalCitusCluster cluster) implements Target {
    @Override
    public void createDatabase(String name) throws SQLException {
      cluster.createDatabase(name);
    }

    @Override
    public String jdbcUrl(String database) {
      return cluster.jdbcUrl(database);
    }

    @Override
    public Connection connect(String database) throws SQLException {
      return cluster.connect(database);
    }

    @Override
    public int workerCount() {
      return cluster.workers().size();
    }

    @Override
    public String describe() {
      return cluster.describe();
    }
  }

  /** Single-node Citus in Docker: the coordinator also holds the shards. */
  private record ContainerTarget(GenericContainer<?> container) implements Target {
    static ContainerTarget start() {
      GenericContainer<?> container =
          new GenericContainer<>(DockerImageName.parse(IMAGE))
              .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
              .withExposedPorts(CONTAINER_PORT)
              // The image's entrypoint starts the server once to initialise it, then for real.
              .waitingFor(
                  Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 2)
                      .withStartupTimeout(Duration.ofMinutes(3)));
      container.start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(container::stop, "pg2citus-citus-container-stop"));
      return new ContainerTarget(container);
    }

    @Override
    public void createDatabase(String name) throws SQLException {
      try (Connection c = connect("postgres");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
      }
      try (Connection c = connect(name);
          Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION citus");
        // Inside the container the coordinator reaches itself on its own port.
        s.execute("SELECT citus_set_coordinator_host('localhost', " + CONTAINER_PORT + ")");
      }
    }

    @Override
    public String jdbcUrl(String database) {
      return "jdbc:postgresql://"
          + container.getHost()
          + ":"
          + container.getMappedPort(CONTAINER_PORT)
          + "/"
          + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public Connection connect(String database) throws SQLException {
      Properties props = new Properties();
      props.setProperty("user", USER);
      return DriverManager.getConnection(jdbcUrl(database), props);
    }

    @Override
    public int workerCount() {
      return 0;
    }

    @Override
    public String describe() {
      return "Citus single node in Docker (" + IMAGE + ")";
    }
  }
}
