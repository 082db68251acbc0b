package dev.pg2citus.ddl;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The guard every command that writes passes first: a target URL that reaches the source database
 * (a typo, a copied configuration, another host name or port of the same server, a pooler in front
 * of it) is refused before anything is written, since create would drop and truncate the source's
 * own tables. A target that is another database of the source's server is allowed, and said.
 *
 * <p>Servers are told apart by what they say of themselves, not by their URLs: the system
 * identifier of {@code pg_control_system()} (shared by a primary and its standbys, so writing the
 * primary of a standby being read from is refused too), or, where that function is not granted, the
 * postmaster's start time and port. A database by its OID on that server.
 */
public final class TargetIsNotSource {
  private TargetIsNotSource() {}

  /** What a server and database say of themselves. */
  private record Identity(String systemIdentifier, String startedAt, String port, long databaseOid, String database) {
    static Identity of(Connection c) throws SQLException {
      String systemIdentifier;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
        systemIdentifier = rs.next() ? rs.getString(1) : null;
      } catch (SQLException e) {
        systemIdentifier = null; // not granted to this user (or a pooler's fake database): the fallback decides
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT pg_postmaster_start_time()::text, current_setting('port'), d.oid,"
              + " d.datname FROM pg_database d WHERE d.datname = current_database()")) {
        rs.next();
        return new Identity(systemIdentifier, rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4));
      }
    }

    /** The same data directory, or a replica of it. */
    boolean sameCluster(Identity other) {
      if (systemIdentifier != null && other.systemIdentifier != null) {
        return systemIdentifier.equals(other.systemIdentifier);
      }
      return sameServer(other);
    }

    /** The same running server, whatever host name or port reached it. */
    boolean sameServer(Identity other) {
      return startedAt.equals(other.startedAt) && port.equals(other.port);
    }
  }

  /**
   * Refuses (exit 2) a target that is the source database, naming both (passwords masked); returns
   * a line to say when the target is another database of the source's server, else empty.
   */
  public static Optional<String> check(MigrationConfig config) throws SQLException {
    Identity source;
    Identity target;
    try (Connection c = config.source().open()) {
      source = Identity.of(c);
    }
    try (Connection c = config.target().open()) {
      target = Identity.of(c);
    }
    if (!source.sameCluster(target)) {
      return Optional.empty();
    }
    String server = source.systemIdentifier() != null && target.systemIdentifier() != null
        ? (source.sameServer(target) ? "the same server" : "a primary and its standby")
            + " (system identifier " + source.systemIdentifier() + ")"
        : "the same server (started " + source.startedAt() + ", port " + source.port() + ")";
    if (source.databaseOid() == target.databaseOid()) {
      throw new ConfigException(new ConfigLocation(config.origin(), 0, "target.url"), "the target "
          + config.target() + " is the source database " + config.source() + ": " + server
          + " and the same database (\"" + target.database() + "\", OID " + target.databaseOid() + ");"
          + " pg2citus never writes its source: point target.url at the Citus coordinator's database");
    }
    return Optional.of("the target is another database (\"" + target.database() + "\") of the source's server, "
        + server + "; the source database \"" + source.database() + "\" is only read");
  }
}
