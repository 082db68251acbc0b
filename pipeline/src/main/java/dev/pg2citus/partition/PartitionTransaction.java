package dev.pg2citus.partition;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.partition.PartitionFailure.Side;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceException;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.runrecord.PartitionDone;
import dev.pg2citus.runrecord.PartitionQueue;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.write.CopySink;
import dev.pg2citus.write.RowSink;
import dev.pg2citus.write.ShardSink;
import dev.pg2citus.write.ShardWrites;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's target transaction, the unit of the data phase: claim the partition in the run
 * record's queue, give its rows (read and joined by the caller's {@link Rows}) to a {@link
 * CopySink}, record its rejects, mark it done, commit. Whatever fails rolls all of it back, so the
 * partition is either fully in the target and marked done, or not there at all. No Beam here: the
 * copy workers ({@link PartitionCopyFn}, {@link WriteGroupedFn}) differ only in where the rows
 * come from.
 *
 * <p>A table on the shard path ({@link ShardWrites}) gives its rows to a {@link ShardSink} instead:
 * one transaction per worker beside the coordinator's, each committed with its ledger row before the
 * coordinator's marks the partition done; an attempt after a failure between those commits skips what
 * the ledgers show written (see {@link ShardSink} for why this, not two-phase commit).
 */
public final class PartitionTransaction implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionTransaction.class);

  private final Map<String, TableCopy> tables;
  private final OnError onError;
  private final int batchRows;
  private final long batchBytes;
  private final ShardWrites shards;

  /** Where a claimed partition's rows come from: each given to the sink, added or rejected. */
  @FunctionalInterface
  public interface Rows {
    void give(ReadPartition partition, TableCopy table, RowSink sink) throws SQLException;
  }

  /** Which partition a transaction claims: a given one, or the smallest left of some tables. */
  public record Claim(ReadPartition partition, Collection<String> tables) {
    /** Partition {@code p}, skipped when an earlier attempt did it. */
    public static Claim of(ReadPartition p) {
      return new Claim(p, null);
    }

    /** The next partition of {@code tables} that nobody holds ({@link PartitionQueue#claimNext}). */
    public static Claim next(Collection<String> tables) {
      return new Claim(null, List.copyOf(tables));
    }

    /** Claims in the caller's open transaction; null when there is nothing to do. */
    ReadPartition take(PartitionQueue queue) throws SQLException {
      if (partition == null) {
        return queue.claimNext(tables);
      }
      if (queue.claim(partition)) {
        return partition;
      }
      LOG.debug("{}: done by an earlier attempt, skipped", partition);
      return null;
    }
  }

  /** @param tables every table whose partitions these transactions write, by run record name */
  public PartitionTransaction(Map<String, TableCopy> tables, OnError onError, int batchRows, long batchBytes) {
    this(tables, onError, batchRows, batchBytes, ShardWrites.none());
  }

  /** @param shards the tables whose rows go straight into their shards */
  public PartitionTransaction(Map<String, TableCopy> tables, OnError onError, int batchRows, long batchBytes,
      ShardWrites shards) {
    this.tables = Map.copyOf(tables);
    this.onError = onError;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.shards = shards;
  }

  /** What is done with a row the target would refuse: stop, or reject it. */
  OnError onError() {
    return onError;
  }

  /**
   * Runs the transaction of the partition {@code claim} takes, on the worker's target connection
   * (autocommit off); null when there was nothing to claim. Its progress connection, autocommit,
   * is told the rows written after each batch and screens refused rows. A failure rolls it all back
   * (the nodes' transactions with the connections the retry policy closes) and is a {@link
   * PartitionFailure} that names the partition and the side that failed.
   */
  PartitionDone run(WorkerConnections connections, Claim claim, Rows rows) throws PartitionFailure {
    Connection target = connections.target();
    Connection progress = connections.progress();
    long start = System.nanoTime();
    ReadPartition partition = claim.partition();
    try {
      RunRecord record = RunRecord.on(target);
      partition = claim.take(record.queue());
      if (partition == null) {
        target.rollback();
        return null;
      }
      ReadPartition claimed = partition;
      TableCopy table = tables.get(claimed.table());
      RowSink sink = shards.writesShardsOf(claimed.table())
          ? shards.sink(target, connections.nodes(), table, claimed, onError, batchRows, batchBytes,
              written -> reportProgress(progress, claimed, written))
          : new CopySink(target, progress, table, claimed, onError, batchRows, batchBytes,
              written -> reportProgress(progress, claimed, written));
      try {
        rows.give(claimed, table, sink);
      } catch (SQLException | RuntimeException e) {
        try {
          sink.abort(); // an open COPY holds the connection: end it before rolling back
        } catch (SQLException abort) {
          e.addSuppressed(abort);
        }
        throw e;
      }
      long written = sink.flush();
      if (sink instanceof ShardSink toShards) {
        toShards.commitNodes(); // before the done mark: a partition marked done is in every shard
      }
      PartitionDone done = new PartitionDone(sink.rows(), written, sink.rejects().size(), sink.bytes(),
          (System.nanoTime() - start) / 1_000_000);
      if (!sink.rejects().isEmpty()) {
        record.rejects().add(claimed, sink.rejects());
      }
      record.queue().markDone(claimed, done);
      target.commit();
      LOG.debug("{}: {} rows written, {} rejected in {} ms{}", claimed, written, done.rowsRejected(), done.millis(),
          sink instanceof ShardSink toShards ? " (" + toShards.describe() + ")"
              : sink.isolationCopies() == 0 ? ""
              : " (" + sink.isolationCopies() + " COPY statements to isolate the rejected)");
      return done;
    } catch (SQLException | RuntimeException e) {
      throw rolledBack(target, partition, e);
    }
  }

  /** Rolls the partition's transaction back; the error to throw names the partition and the side that failed. */
  private static PartitionFailure rolledBack(Connection target, ReadPartition partition, Exception e) {
    try {
      target.rollback();
    } catch (SQLException rollback) {
      e.addSuppressed(rollback);
    }
    String message = String.valueOf(e.getMessage());
    String where = partition == null ? "claiming the next partition" : partition.toString();
    String state = e instanceof SQLException sql ? sql.getSQLState() : null;
    return new PartitionFailure(message.startsWith(where) ? message : where + ": " + message, state, e, partition,
        e instanceof SourceException ? Side.SOURCE : Side.TARGET);
  }

  private static void reportProgress(Connection progress, ReadPartition partition, long rows) {
    try {
      RunRecord.on(progress).progress().written(partition, rows);
    } catch (SQLException e) {
      LOG.debug("{}: progress not recorded: {}", partition, e.getMessage());
    }
  }
}
