package dev.pg2citus.write;

import dev.pg2citus.runrecord.PartitionDone;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's target transaction: claim the partition, write its rows through a {@link CopySink},
 * record its rejects, mark it done, commit. Whatever fails rolls all of it back, so the partition
 * is either fully in the target and marked done, or not there at all.
 */
public final class PartitionCommit implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionCommit.class);

  private final OnError onError;
  private final int batchRows;
  private final long batchBytes;
  private final PartitionRetries retries;

  /** What gives a partition's rows to the sink: {@code sink.add(row)}, or {@code sink.reject(row, reason)}. */
  public interface RowFeed {
    void feed(CopySink sink) throws SQLException;
  }

  /** @param retries how the workers that run these transactions retry one whose connection was lost */
  public PartitionCommit(OnError onError, int batchRows, long batchBytes, PartitionRetries retries) {
    this.onError = onError;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.retries = retries;
  }

  PartitionRetries retries() {
    return retries;
  }

  /** The rows of a claimed partition: what reads them and gives them to the sink. */
  public interface PartitionFeed {
    TableCopy table(ReadPartition partition);

    RowFeed rows(ReadPartition partition);
  }

  /**
   * Runs the transaction of one given partition on {@code target} (autocommit off); null when
   * the partition was done already. A failure rolls it back and is a {@link PartitionFailure}. {@code progress}, an autocommit connection to the target, is
   * told the rows written after each batch, for the progress log.
   */
  public PartitionDone run(Connection target, Connection progress, ReadPartition partition, TableCopy table,
      RowFeed feed) throws SQLException {
    long start = System.nanoTime();
    try {
      if (!RunRecord.on(target).queue().claim(partition)) {
        target.rollback();
        LOG.info("{}: done by an earlier attempt, skipped", partition);
        return null;
      }
      return write(target, progress, partition, table, feed, start);
    } catch (SQLException | RuntimeException e) {
      throw rolledBack(target, partition, e);
    }
  }

  /**
   * Claims the next partition of {@code tables} still to do and runs its transaction; null when
   * none is left ({@link dev.pg2citus.runrecord.PartitionQueue#claimNext}). A failure rolls it back and is a {@link
   * PartitionFailure}.
   */
  public PartitionDone runNext(Connection target, Connection progress, Collection<String> tables,
      PartitionFeed feed) throws SQLException {
    long start = System.nanoTime();
    ReadPartition partition = null;
    try {
      partition = RunRecord.on(target).queue().claimNext(tables);
      if (partition == null) {
        target.rollback();
        return null;
      }
      return write(target, progress, partition, feed.table(partition), feed.rows(partition), start);
    } catch (SQLException | RuntimeException e) {
      throw rolledBack(target, partition, e);
    }
  }

  private PartitionDone write(Connection target, Connection progress, ReadPartition partition, TableCopy table,
      RowFeed feed, long start) throws SQLException {
    CopySink sink = new CopySink(target, progress, table, partition, onError, batchRows, batchBytes,
        rows -> reportProgress(progress, partition, rows));
    try {
      feed.feed(sink);
    } catch (SQLException | RuntimeException e) {
      try {
        sink.abort(); // an open COPY holds the connection: end it before rolling back
      } catch (SQLException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    }
    long written = sink.flush();
    PartitionDone done = new PartitionDone(sink.rows(), written, sink.rejects().size(), sink.bytes(),
        (System.nanoTime() - start) / 1_000_000);
    if (!sink.rejects().isEmpty()) {
      RunRecord.on(target).rejects().add(partition, sink.rejects());
    }
    RunRecord.on(target).queue().markDone(partition, done);
    target.commit();
    LOG.info("{}: {} rows written, {} rejected in {} ms{}", partition, written, done.rowsRejected(), done.millis(),
        sink.isolationCopies() == 0 ? "" : " (" + sink.isolationCopies() + " COPY statements to isolate the rejected)");
    return done;
  }

  /** Rolls the partition's transaction back; the error to throw names the partition. */
  private static PartitionFailure rolledBack(Connection target, ReadPartition partition, Exception e) {
    try {
      target.rollback();
    } catch (SQLException rollback) {
      e.addSuppressed(rollback);
    }
    String message = String.valueOf(e.getMessage());
    String where = partition == null ? "claiming the next partition" : partition.toString();
    String state = e instanceof SQLException sql ? sql.getSQLState() : null;
    return new PartitionFailure(message.startsWith(where) ? message : where + ": " + message, state, e, partition);
  }

  /** Closes a worker's connections, broken or not; an open transaction rolls back with its connection. */
  static void close(Connection... connections) {
    for (Connection c : connections) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (SQLException e) {
        LOG.debug("closing a broken connection: {}", e.getMessage());
      }
    }
  }

  private static void reportProgress(Connection progress, ReadPartition partition, long rows) {
    try {
      RunRecord.on(progress).progress().written(partition, rows);
    } catch (SQLException e) {
      LOG.debug("{}: progress not recorded: {}", partition, e.getMessage());
    }
  }
}
