package dev.pg2citus.config;

import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach one PostgreSQL database. The password is never part of {@link #toString()} or
 * {@link #redactedUrl()}, so a spec can go into logs and errors as it is. It is serializable so
 * pipeline workers can open their own connections.
 *
 * <p>Where the password comes from, first found wins, as in libpq: {@code password=} in the URL (or
 * {@code user:password@} of a {@code postgresql://} URI), then {@code source.password} /
 * {@code target.password}, then {@code PGPASSWORD} ({@link #orPassword}), then the password file
 * pgjdbc reads itself when it was given none: {@code PGPASSFILE}, else {@code ~/.pgpass}.
 *
 * @param url a pgjdbc URL ({@code jdbc:postgresql://host:port/db?sslmode=require})
 * @param user the user, or null to let pgjdbc take it from the URL or the OS
 * @param password the password, or null
 * @param properties further pgjdbc properties (sslmode, ApplicationName…)
 * @param readOnly whether every session opened is read-only ({@code default_transaction_read_only}): the
 *     source's, so that no mix-up or bug can write there
 * @param nodeAddresses Citus nodes reached by another address than {@code pg_dist_node} holds ({@code
 *     target.node-addresses}): {@code host:port} as there → {@code host:port} to connect to
 */
public record ConnectionSpec(String url, String user, String password, Map<String, String> properties,
    boolean readOnly, Map<String, String> nodeAddresses) implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionSpec.class);
  /**
   * {@code password=…} up to the next parameter or blank; a value already masked ({@code ***} and a
   * blank, colon or end) is left alone, so masking twice keeps the text that follows.
   */
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)(password=)(?!\\*\\*\\*(?:[&;:\\s]|$))[^&;\\s]*");
  private static final Pattern URL_PASSWORD_VALUE = Pattern.compile("(?i)[?&;]password=([^&;]*)");
  /** {@code //user:secret@} up to the last {@code @} of the word, as a password may hold {@code @} and {@code /}. */
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/:@\\s]*:)\\S*@");

  /**
   * Timeouts a database or role may set for every session, turned off for pg2citus' own right after
   * connecting, as pg_dump does: the snapshot is held idle for the whole run, a COPY or an index
   * build may take hours. One the user gives in {@code options} ({@code target.settings}) stands.
   * Each with the server version that has it.
   */
  private static final Map<String, Integer> TIMEOUTS = Map.of("statement_timeout", 0, "lock_timeout", 0,
      "idle_in_transaction_session_timeout", 0, "idle_session_timeout", 14, "transaction_timeout", 17);

  /**
   * How values are written as text and read back, pinned in every session as pg_dump pins them, so that
   * no database's or role's setting changes a value on its way (an interval printed in sql_standard style
   * and read in postgres style changes sign): rows travel as COPY text, and checksums compare text. The
   * monetary locale decides how money prints and parses: the same on both ends keeps its stored amount.
   * (pgjdbc pins DateStyle to ISO and client_encoding to UTF8 itself.)
   */
  private static final String VALUE_FORMATS = "SET IntervalStyle = postgres; SET extra_float_digits = 3;"
      + " SET bytea_output = hex; SET lc_monetary = 'C';";

  /** The environment variable libpq, psql and pgloader take a password from when none is given. */
  public static final String PASSWORD_VARIABLE = "PGPASSWORD";

  public ConnectionSpec {
    properties = Map.copyOf(properties);
    nodeAddresses = Map.copyOf(nodeAddresses);
  }

  public ConnectionSpec(String url, String user, String password, Map<String, String> properties,
      boolean readOnly) {
    this(url, user, password, properties, readOnly, Map.of());
  }

  /** A spec whose sessions may write (a target's). */
  public ConnectionSpec(String url, String user, String password, Map<String, String> properties) {
    this(url, user, password, properties, false);
  }

  /** The same database, every session of it read-only. */
  public ConnectionSpec asReadOnly() {
    return new ConnectionSpec(url, user, password, properties, true, nodeAddresses);
  }

  /** The same, with Citus nodes reached at other addresses ({@code host:port} → {@code host:port}). */
  public ConnectionSpec withNodeAddresses(Map<String, String> addresses) {
    return new ConnectionSpec(url, user, password, properties, readOnly, addresses);
  }

  /**
   * The same database, user, password, TLS and other properties on another server of the cluster: a
   * Citus worker, at {@code host:port} as {@code pg_dist_node} names it, or at the address {@link
   * #nodeAddresses} gives it. The URL's other hosts and its port are replaced; its parameters are kept.
   */
  public ConnectionSpec atNode(String host, int port) {
    String address = nodeAddresses.getOrDefault(host + ":" + port, host + ":" + port);
    int colon = address.lastIndexOf(':');
    String to = address.substring(0, colon);
    String rest = url.substring("jdbc:postgresql:".length());
    String path = rest.startsWith("//") ? (rest.indexOf('/', 2) < 0 ? "/" : rest.substring(rest.indexOf('/', 2)))
        : "/" + rest;
    String at = (to.contains(":") && !to.startsWith("[") ? "[" + to + "]" : to) + address.substring(colon);
    return new ConnectionSpec("jdbc:postgresql://" + at + path, user, password, properties, readOnly);
  }

  /**
   * Opens a connection to the Citus node {@code host:port} of {@code pg_dist_node} ({@link #atNode});
   * a failure names the node, and the address it was reached at when {@code target.node-addresses}
   * gives another.
   */
  public Connection openNode(String host, int port) throws SQLException {
    String node = host + ":" + port;
    try {
      return atNode(host, port).open();
    } catch (SQLException e) {
      String override = nodeAddresses.get(node);
      throw new SQLException("the Citus node " + node + " (pg_dist_node)" + (override == null ? ""
          : ", reached at " + override + " as target.node-addresses says") + ": " + e.getMessage(),
          e.getSQLState(), e);
    }
  }

  /**
   * This spec, with {@code fallback} as its password when it has none of its own (neither in the URL
   * nor given; an empty one counts as none, as in libpq): how {@code PGPASSWORD} applies. A null or
   * empty fallback leaves it as it is, so pgjdbc goes on to the password file.
   */
  public ConnectionSpec orPassword(String fallback) {
    if ((password != null && !password.isEmpty()) || fallback == null || fallback.isEmpty() || URL_PASSWORD_VALUE.matcher(url).find()) {
      return this;
    }
    return new ConnectionSpec(url, user, fallback, properties, readOnly, nodeAddresses);
  }

  /**
   * Reads a URL as users write it: a pgjdbc URL as it is, or a libpq/pgloader URI
   * ({@code postgresql://}, {@code postgres://}, {@code pgsql://}) whose user and password move out
   * of the URL into the spec.
   */
  public static ConnectionSpec fromUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return new ConnectionSpec(url, null, null, Map.of());
    }
    String rest = url.replaceFirst("^(postgresql|postgres|pgsql)://", "");
    if (rest.equals(url)) {
      throw new IllegalArgumentException("expected a jdbc:postgresql:// or postgresql:// URL, got '"
          + redact(url) + "'");
    }
    // Parsed by hand, as libpq does: java.net.URI refuses host names with underscores and
    // passwords with unescaped characters, and its messages quote the whole URL.
    int query = rest.indexOf('?');
    String params = query < 0 ? "" : rest.substring(query);
    String main = query < 0 ? rest : rest.substring(0, query);
    int at = main.lastIndexOf('@');
    String user = null;
    String password = null;
    if (at >= 0) {
      String userInfo = main.substring(0, at);
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
      main = main.substring(at + 1);
    }
    int slash = main.indexOf('/');
    String hostPort = slash < 0 ? main : main.substring(0, slash);
    String database = slash < 0 ? "" : main.substring(slash + 1);
    if (!hostPort.matches("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._%-]*)(:\\d{1,5})?")) {
      throw new IllegalArgumentException("the host part of a postgresql:// URL is not valid: '" + hostPort
          + "' (percent-encode special characters of the user and password)");
    }
    String host = hostPort.isEmpty() || hostPort.startsWith(":") ? "localhost" + hostPort : hostPort;
    return new ConnectionSpec("jdbc:postgresql://" + host + "/" + database + params, user, password, Map.of());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static final Pattern URL_USER = Pattern.compile("[?&;]user=([^&;]*)");

  /**
   * The role this spec logs in as, where it says so (the user, a {@code user} property or URL
   * parameter); empty when pgjdbc would take it from elsewhere.
   */
  public Optional<String> loginUser() {
    if (user != null) {
      return Optional.of(user);
    }
    if (properties.containsKey("user")) {
      return Optional.of(properties.get("user"));
    }
    Matcher m = URL_USER.matcher(url);
    return m.find() ? Optional.of(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)) : Optional.empty();
  }

  /** Opens a connection. */
  public Connection open() throws SQLException {
    Properties props = new Properties();
    props.putAll(new LinkedHashMap<>(properties));
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) { // an empty one lets pgjdbc read the password file
      props.setProperty("password", password);
    }
    props.putIfAbsent("ApplicationName", "pg2citus");
    if (readOnly) {
      props.putIfAbsent("allowEncodingChanges", "true"); // a SQL_ASCII source's rows are read as bytes
    }
    try {
      Connection c = DriverManager.getConnection(url, props);
      sessionSettings(c);
      return c;
    } catch (SQLException e) {
      // The driver's reason (refused, no such database, authentication failed) is what the user needs;
      // its messages can quote the URL or the password, so both are masked in it.
      throw new SQLException("cannot connect to " + this + ": " + withoutSecrets(e.getMessage()),
          e.getSQLState(), e);
    }
  }

  /**
   * The value formats; one SET per timeout, without a query first: under a tight statement_timeout even
   * that would be cut; and read-only for a read-only spec. A user's setting stands for the timeouts only.
   */
  private void sessionSettings(Connection c) throws SQLException {
    String given = properties.getOrDefault("options", "");
    int major = c.getMetaData().getDatabaseMajorVersion();
    StringBuilder sets = new StringBuilder(VALUE_FORMATS);
    new TreeMap<>(TIMEOUTS).forEach((name, since) -> {
      if (major >= since && !given.contains(name + "=")) {
        sets.append("SET ").append(name).append(" = 0;");
      }
    });
    if (readOnly) {
      sets.append("SET default_transaction_read_only = on;");
    }
    try (Statement st = c.createStatement()) {
      st.execute(sets.toString());
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    if (major >= 14 && !given.contains("client_connection_check_interval=")) {
      endsWithItsClient(c);
    }
  }

  /**
   * A query goes on when its client is gone (killed, its machine lost) until it has a row to send:
   * a killed run's source scans and index builds would outlive it, and hold locks its resume waits
   * for. The server looks for a closed client every second during a query instead; where its
   * platform cannot (other than Linux) the setting is refused and left off.
   */
  private static void endsWithItsClient(Connection c) {
    try (Statement st = c.createStatement()) {
      st.execute("SET client_connection_check_interval = '1s'");
    } catch (SQLException e) {
      LOG.debug("client_connection_check_interval stays off: {}", e.getMessage());
    }
  }

  /**
   * Where the database is, for messages: {@code host:port/database} (the port and host pgjdbc
   * defaults to when the URL has none), without parameters, user or password.
   */
  public String address() {
    String rest = url.replaceFirst("^jdbc:postgresql:", "");
    int query = rest.indexOf('?');
    rest = query < 0 ? rest : rest.substring(0, query);
    if (!rest.startsWith("//")) {
      return "localhost:5432/" + rest;
    }
    rest = rest.substring(2);
    int slash = rest.indexOf('/');
    String hosts = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : rest.substring(slash + 1);
    if (hosts.isEmpty()) {
      hosts = "localhost";
    }
    if (!hosts.contains(",") && !hosts.matches(".*:\\d+")) {
      hosts += ":5432";
    }
    return hosts + "/" + database;
  }

  /** {@code text} with this spec's password masked wherever it stands, as written and URL-decoded. */
  public String withoutSecrets(String text) {
    if (text == null) {
      return null;
    }
    String masked = text;
    for (String secret : secrets()) {
      masked = masked.replace(secret, "***");
    }
    return redact(masked);
  }

  private List<String> secrets() {
    List<String> secrets = new ArrayList<>();
    if (password != null && !password.isEmpty()) {
      secrets.add(password);
    }
    Matcher m = URL_PASSWORD_VALUE.matcher(url);
    while (m.find()) {
      if (!m.group(1).isEmpty()) {
        secrets.add(m.group(1));
        secrets.add(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
      }
    }
    return secrets;
  }

  /** The URL with any password in it masked. */
  public String redactedUrl() {
    return redact(url);
  }

  /** Masks {@code password=…} parameters and {@code user:password@} parts in any text. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String masked = URL_PASSWORD.matcher(text).replaceAll("$1***");
    return USERINFO_PASSWORD.matcher(masked).replaceAll("$1***@");
  }

  @Override
  public String toString() {
    return redactedUrl() + (user != null ? " as " + user : "");
  }
}
