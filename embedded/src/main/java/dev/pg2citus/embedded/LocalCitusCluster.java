package dev.pg2citus.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway Citus cluster that this JVM starts and owns: a coordinator and N workers, each a
 * {@link LocalPostgres} with Citus preloaded, on free loopback ports. It needs installed server
 * binaries with the Citus extension ({@link LocalPostgres#citusInstalled()}).
 *
 * <p>Start it with {@code LocalCitusCluster.start(2)}, make a database with {@link
 * #createDatabase(String)} (that also joins the workers to it), then connect to the coordinator
 * with {@link #jdbcUrl(String)}. Close it to stop every node.
 */
public final class LocalCitusCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCitusCluster.class);

  /** Workers in a cluster from {@link #start()}. */
  public static final int DEFAULT_WORKERS = 2;

  private final LocalPostgres coordinator;
  private final List<LocalPostgres> workers;

  private LocalCitusCluster(LocalPostgres coordinator, List<LocalPostgres> workers) {
    this.coordinator = coordinator;
    this.workers = List.copyOf(workers);
  }

  /** Starts a coordinator and {@value #DEFAULT_WORKERS} workers. */
  public static LocalCitusCluster start() {
    return start(DEFAULT_WORKERS);
  }

  /**
   * Starts a coordinator and {@code workers} workers, all at once.
   *
   * @throws IllegalStateException if Citus is not installed or a node cannot start; nodes that did
   *     start are stopped again
   */
  public static LocalCitusCluster start(int workers) {
    if (workers < 0) {
      throw new IllegalArgumentException("workers must be >= 0, was " + workers);
    }
    String reason = LocalPostgres.citusUnavailableReason();
    if (reason != null) {
      throw new IllegalStateException("Cannot start a local Citus cluster: " + reason);
    }
    LocalPostgres.Builder node = LocalPostgres.builder().withCitus(true);
    ExecutorService pool = Executors.newFixedThreadPool(workers + 1);
    try {
      List<CompletableFuture<LocalPostgres>> starting = new ArrayList<>();
      for (int i = 0; i <= workers; i++) {
        starting.add(CompletableFuture.supplyAsync(node::start, pool));
      }
      List<LocalPostgres> started = new ArrayList<>();
      RuntimeException failure = null;
      for (CompletableFuture<LocalPostgres> f : starting) {
        try {
          started.add(f.join());
        } catch (CompletionException e) {
          failure = e.getCause() instanceof RuntimeException re ? re : e;
        }
      }
      if (failure != null) {
        started.forEach(LocalPostgres::close);
        throw failure;
      }
      LocalCitusCluster cluster =
          new LocalCitusCluster(started.get(0), started.subList(1, started.size()));
      log.debug("Started {}", cluster.describe());
      return cluster;
    } finally {
      pool.shutdown();
    }
  }

  public LocalPostgres coordinator() {
    return coordinator;
  }

  public List<LocalPostgres> workers() {
    return workers;
  }

  /**
   * Creates a database with the Citus extension on every node and registers the coordinator and the
   * workers in its metadata, so distributed tables can be created in it right away.
   */
  public void createDatabase(String name) throws SQLException {
    // CREATE DATABASE and CREATE EXTENSION take a few hundred ms per node: do the nodes at once.
    List<LocalPostgres> nodes = nodes();
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    try {
      List<Future<Void>> setups = new ArrayList<>();
      for (LocalPostgres node : nodes) {
        setups.add(pool.submit(() -> createCitusDatabase(node, name)));
      }
      for (Future<Void> setup : setups) {
        setup.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new IllegalStateException("Could not create database " + name, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while creating database " + name, e);
    } finally {
      pool.shutdown();
    }
    try (Connection c = coordinator.connect(name)) {
      try (PreparedStatement s = c.prepareStatement("SELECT citus_set_coordinator_host(?, ?)")) {
        s.setString(1, coordinator.host());
        s.setInt(2, coordinator.port());
        s.execute();
      }
      for (LocalPostgres worker : workers) {
        try (PreparedStatement s = c.prepareStatement("SELECT citus_add_node(?, ?)")) {
          s.setString(1, worker.host());
          s.setInt(2, worker.port());
          s.execute();
        }
      }
    }
  }

  /** The coordinator's JDBC URL for one database; this is where clients connect. */
  public String jdbcUrl(String database) {
    return coordinator.jdbcUrl(database);
  }

  /** Opens a connection to one database on the coordinator. */
  public Connection connect(String database) throws SQLException {
    return coordinator.connect(database);
  }

  /**
   * E.g. {@code "Citus on PostgreSQL 15.20 from /usr/lib/postgresql/15/bin: coordinator :5001,
   * workers :5002 :5003"}.
   */
  public String describe() {
    return "Citus on "
        + coordinator.describe()
        + ": coordinator :"
        + coordinator.port()
        + (workers.isEmpty()
            ? ", no workers"
            : ", workers "
                + workers.stream().map(w -> ":" + w.port()).collect(Collectors.joining(" ")));
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Stops every node; later calls do nothing. */
  @Override
  public void close() {
    nodes().forEach(LocalPostgres::close);
  }

  private static Void createCitusDatabase(LocalPostgres node, String name) throws SQLException {
    node.createDatabase(name);
    try (Connection c = node.connect(name);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION citus");
    }
    return null;
  }

  private List<LocalPostgres> nodes() {
    List<LocalPostgres> all = new ArrayList<>();
    all.add(coordinator);
    all.addAll(workers);
    return all;
  }
}
