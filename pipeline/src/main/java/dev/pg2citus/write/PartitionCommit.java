package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.ReadPartition;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
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

  /** What gives a partition's rows to the sink: {@code sink.add(row)}, or {@code sink.reject(row, reason)}. */
  public interface RowFeed {
    void feed(CopySink sink) throws SQLException;
  }

  public PartitionCommit(OnError onError, int batchRows, long batchBytes) {
    this.onError = onError;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
  }

  /**
   * Runs the transaction on {@code target} (autocommit off); null when the partition was done
   * already. {@code progress}, an autocommit connection to the target, is told the rows written
   * after each batch, for the progress log.
   */
  public ProgressStore.Done run(Connection target, Connection progress, ReadPartition partition, TableCopy table,
      RowFeed feed) throws SQLException {
    long start = System.nanoTime();
    try {
      if (!ProgressStore.claim(target, partition)) {
        target.rollback();
        LOG.info("{}: done by an earlier attempt, skipped", partition);
        return null;
      }
      CopySink sink = new CopySink(target, table.copyInSql(), partition, onError, batchRows, batchBytes,
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
      ProgressStore.Done done = new ProgressStore.Done(sink.rows(), written, sink.rejects().size(), sink.bytes(),
          (System.nanoTime() - start) / 1_000_000);
      if (!sink.rejects().isEmpty()) {
        ProgressStore.reject(target, partition, sink.rejects());
      }
      ProgressStore.markDone(target, partition, done);
      target.commit();
      LOG.info("{}: {} rows written, {} rejected in {} ms", partition, written, done.rowsRejected(), done.millis());
      return done;
    } catch (SQLException | RuntimeException e) {
      try {
        target.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      String message = String.valueOf(e.getMessage());
      if (message.startsWith(partition.toString())) {
        throw e;
      }
      throw new SQLException(partition + ": " + message, e instanceof SQLException sql ? sql.getSQLState() : null, e);
    }
  }

  private static void reportProgress(Connection progress, ReadPartition partition, long rows) {
    try {
      ProgressStore.inFlight(progress, partition, rows);
    } catch (SQLException e) {
      LOG.debug("{}: progress not recorded: {}", partition, e.getMessage());
    }
  }
}
