package dev.pg2citus.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded default that {@code --embedded} runs against, so pg2citus can be tried on a machine
 * with nothing but Java: a local source holding the Citus tutorial schema ({@code hackathon}), and
 * a target database ({@code dim}) on a local Citus coordinator with two workers when the citus
 * extension is installed, or on plain PostgreSQL otherwise.
 */
public final class EmbeddedDefault implements AutoCloseable {
  /** The shipped configuration {@code configs/hackathon.yaml}, bundled as a resource. */
  public static final String CONFIG_RESOURCE = "/dev/pg2citus/configs/hackathon.yaml";
  /** The tutorial schema. */
  public static final String SCHEMA_RESOURCE = "/dev/pg2citus/embedded/hackathon-schema.sql";
  /** Generated tutorial rows. */
  public static final String DATA_RESOURCE = "/dev/pg2citus/embedded/hackathon-data.sql";

  private static final String SOURCE_DB = "hackathon";
  private static final String TARGET_DB = "dim";

  private final LocalPostgres source;
  private final LocalCitusCluster citus;
  private final boolean hasTarget;

  private EmbeddedDefault(LocalPostgres source, LocalCitusCluster citus, boolean hasTarget) {
    this.source = source;
    this.citus = citus;
    this.hasTarget = hasTarget;
  }

  /** Starts the source, and the target too when {@code withTarget}. */
  public static EmbeddedDefault start(boolean withTarget) throws SQLException {
    LocalPostgres source = LocalPostgres.start();
    LocalCitusCluster citus = null;
    try {
      source.createDatabase(SOURCE_DB);
      try (Connection c = source.connect(SOURCE_DB); Statement st = c.createStatement()) {
        st.execute(resource(SCHEMA_RESOURCE));
      }
      if (withTarget) {
        if (LocalPostgres.citusInstalled()) {
          citus = LocalCitusCluster.start();
          citus.createDatabase(TARGET_DB);
        } else {
          source.createDatabase(TARGET_DB);
        }
      }
      return new EmbeddedDefault(source, citus, withTarget);
    } catch (RuntimeException | SQLException e) {
      if (citus != null) {
        citus.close();
      }
      source.close();
      throw e;
    }
  }

  /** Fills the source with generated tutorial rows (about 300,000). */
  public void fillSource() throws SQLException {
    try (Connection c = source.connect(SOURCE_DB); Statement st = c.createStatement()) {
      st.execute(resource(DATA_RESOURCE));
    }
  }

  public String sourceUrl() {
    return withUser(source.jdbcUrl(SOURCE_DB), source.user());
  }

  /** The target database's URL; without a started target, where it would be. */
  public String targetUrl() {
    return citus != null ? withUser(citus.jdbcUrl(TARGET_DB), citus.coordinator().user())
        : withUser(source.jdbcUrl(TARGET_DB), source.user());
  }

  private static String withUser(String url, String user) {
    return url + (url.contains("?") ? "&" : "?") + "user=" + user;
  }

  /** Whether the target is (or, with no target started, would be) a real Citus cluster. */
  public boolean targetIsCitus() {
    return hasTarget ? citus != null : LocalPostgres.citusInstalled();
  }

  public String describe() {
    String target = !hasTarget ? "no target started"
        : citus != null ? "target: " + citus.describe() + ", database " + TARGET_DB
        : "target: plain PostgreSQL, database " + TARGET_DB + " in the same server ("
            + LocalPostgres.citusUnavailableReason() + ")";
    return "embedded source: " + source.describe() + ", database " + SOURCE_DB + "; " + target;
  }

  /** Reads a bundled text resource. */
  public static String resource(String name) {
    try (InputStream in = EmbeddedDefault.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (citus != null) {
      citus.close();
    }
    source.close();
  }
}
