package dev.pg2citus.write;

import dev.pg2citus.config.ConnectionSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy worker's connections to the Citus nodes, for the shard write path: one per node ({@code
 * host:port} as {@code pg_dist_node} names it), opened on first use with the target's user, password,
 * TLS and other properties at its address ({@link ConnectionSpec#openNode}), autocommit off, kept across partitions.
 * Closing them rolls back any open worker transaction.
 */
public final class NodeConnections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeConnections.class);

  private final ConnectionSpec target;
  private final Map<String, Connection> open = new LinkedHashMap<>();

  public NodeConnections(ConnectionSpec target) {
    this.target = target;
  }

  /** The connection to {@code host:port}, opened now if it is not. */
  public Connection to(String host, int port) throws SQLException {
    String node = name(host, port);
    Connection c = open.get(node);
    if (c == null) {
      c = target.openNode(host, port);
      c.setAutoCommit(false);
      open.put(node, c);
    }
    return c;
  }

  /** A node's name in messages and the ledger: {@code host:port}. */
  public static String name(String host, int port) {
    return host + ":" + port;
  }

  /** {@code text} without the target's secrets. */
  public String withoutSecrets(String text) {
    return target.withoutSecrets(text);
  }

  /** Rolls back every node's open transaction, keeping the connections. */
  void rollback() throws SQLException {
    SQLException first = null;
    for (Connection c : open.values()) {
      try {
        c.rollback();
      } catch (SQLException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Closes every connection, broken or not. */
  @Override
  public void close() {
    for (Connection c : open.values()) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("closing a broken node connection: {}", e.getMessage());
      }
    }
    open.clear();
  }
}
