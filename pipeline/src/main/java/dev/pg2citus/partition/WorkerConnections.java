package dev.pg2citus.partition;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.partition.PartitionFailure.Side;
import dev.pg2citus.write.NodeConnections;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy worker's connections: the source (when it reads the rows itself), the target for the
 * partition's transaction (autocommit off), an autocommit one beside it for live progress,
 * retries and the screening of refused rows, and on the shard path the Citus nodes' ({@link
 * NodeConnections}). Opened on first use and again after a loss; closing
 * them rolls back an open partition transaction.
 */
final class WorkerConnections {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerConnections.class);

  private final ConnectionSpec source;
  private final ConnectionSpec target;
  private Connection sourceConnection;
  private Connection targetConnection;
  private Connection progressConnection;
  private NodeConnections nodeConnections;
  /** Set by the runner's teardown, from whatever thread: the worker's work ends, nothing is opened again. */
  private volatile boolean stopped;

  /** @param source null when the rows come from elsewhere (the shuffle) */
  WorkerConnections(ConnectionSpec source, ConnectionSpec target) {
    this.source = source;
    this.target = target;
  }

  /** Opens the connections not open; a failure says which side could not be reached. */
  void open() throws SQLException {
    if (stopped) {
      throw new SQLException("the copy worker was stopped", "57014");
    }
    try {
      if (source != null && sourceConnection == null) {
        sourceConnection = source.open();
      }
    } catch (SQLException e) {
      throw PartitionFailure.connecting(Side.SOURCE, e);
    }
    try {
      if (targetConnection == null) {
        targetConnection = target.open();
        targetConnection.setAutoCommit(false);
      }
      if (progressConnection == null) {
        progressConnection = target.open();
      }
      if (nodeConnections == null) {
        nodeConnections = new NodeConnections(target); // each node's connection opens on first use
      }
    } catch (SQLException e) {
      throw PartitionFailure.connecting(Side.TARGET, e);
    }
  }

  Connection source() {
    return sourceConnection;
  }

  /** The connection of the partition's transaction. */
  Connection target() {
    return targetConnection;
  }

  /** The autocommit connection to the target beside the transaction. */
  Connection progress() {
    return progressConnection;
  }

  /** The connections to the Citus nodes, for shard writes. */
  NodeConnections nodes() {
    return nodeConnections;
  }

  /** {@code source host:port/db} or {@code target host:port/db}, for messages: no user, no password. */
  String describe(Side side) {
    return side == Side.SOURCE ? "source " + source.address() : "target " + target.address();
  }

  /** {@code text} with the passwords of both connections taken out. */
  String withoutSecrets(String text) {
    String scrubbed = target.withoutSecrets(text);
    return source == null ? scrubbed : source.withoutSecrets(scrubbed);
  }

  /**
   * Stops the worker for good (the runner tears it down, when the data phase ends or fails
   * elsewhere): its connections are closed, perhaps under a running attempt, whose failure is then
   * no lost connection to retry ({@link #stopped()}), and none is opened again.
   */
  void stop() {
    stopped = true;
    close();
  }

  /** Whether {@link #stop()} was called: a failure since is the worker being stopped, not a lost connection. */
  boolean stopped() {
    return stopped;
  }

  /** Closes the connections, broken or not; an open transaction rolls back with its connection. */
  void close() {
    for (Connection c : new Connection[] {sourceConnection, targetConnection, progressConnection}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (SQLException e) {
        LOG.debug("closing a broken connection: {}", e.getMessage());
      }
    }
    if (nodeConnections != null) {
      nodeConnections.close();
    }
    sourceConnection = null;
    targetConnection = null;
    progressConnection = null;
    nodeConnections = null;
  }
}
