package dev.pg2citus.testing;

import dev.pg2citus.embedded.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The PostgreSQL server that tests share: one {@link LocalPostgres} per JVM, started on first use
 * and stopped by its shutdown hook. Give each test its own database with {@link
 * #freshDatabase(String)} rather than sharing one, so tests never see each other's tables.
 */
public final class TestPostgres {
  private static LocalPostgres server;

  private TestPostgres() {}

  /** The shared server, started on the first call. */
  public static synchronized LocalPostgres server() {
    if (server == null) {
      server = LocalPostgres.start();
    }
    return server;
  }

  /** Creates an empty database named after {@code prefix} plus a counter, and returns its name. */
  public static String freshDatabase(String prefix) {
    String name = DatabaseNames.next(prefix);
    try {
      server().createDatabase(name);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create test database " + name, e);
    }
    return name;
  }

  public static String jdbcUrl(String database) {
    return server().jdbcUrl(database);
  }

  /** The JDBC URL with the user in it, as a configuration file or {@code --source} takes it. */
  public static String jdbcUrlWithUser(String database) {
    return jdbcUrl(database) + "?user=" + user();
  }

  /** The user to connect as; it needs no password. */
  public static String user() {
    return server().user();
  }

  public static Connection connect(String database) throws SQLException {
    return server().connect(database);
  }

  /** The single number a query returns, such as a count. */
  public static long scalar(String database, String sql) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row a query returns, as text. */
  public static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * Creates {@code role} (if it is new) with {@code password} and {@code attributes} ({@code
   * "SUPERUSER"}, or "" for none), and lets it in only with that password (scram-sha-256) over TCP;
   * every other role keeps trust. Returns once the server applies the rule.
   */
  public static synchronized void passwordRole(String role, String password, String attributes) throws SQLException {
    try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
      if (rows(c, "SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'").isEmpty()) {
        st.execute("CREATE ROLE \"" + role + "\" LOGIN " + attributes);
      }
      st.execute("ALTER ROLE \"" + role + "\" PASSWORD '" + password.replace("'", "''") + "'");
      Path hba = Path.of(rows(c, "SHOW hba_file").get(0));
      String line = "host all " + role + " 127.0.0.1/32 scram-sha-256\n";
      String current = Files.readString(hba);
      if (!current.contains(line)) {
        Files.writeString(hba, line + current); // the first matching line wins
      }
      rows(c, "SELECT pg_reload_conf()");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The server reloads its configuration asynchronously: wait until trust no longer lets the role in.
    Properties noPassword = new Properties();
    noPassword.setProperty("user", role);
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), noPassword)) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the server still lets " + role + " in without a password");
        }
        Thread.sleep(50);
      } catch (SQLException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Runs a SQL script of one or more statements separated by semicolons. */
  public static void execute(String database, String sql) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
