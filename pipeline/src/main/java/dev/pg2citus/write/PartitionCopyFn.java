package dev.pg2citus.write;

import dev.pg2citus.runrecord.PartitionDone;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceCopy;
import dev.pg2citus.read.TableCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A copy worker: takes partitions from the run record's queue, smallest first, until none is left
 * ({@link PartitionCommit#runNext}). Each partition is read from the source under the run's
 * snapshot as COPY text, gets its added distribution column from the backfill side input, and is
 * written to the target with COPY, in one target transaction that also marks it done.
 *
 * <p>The elements are worker numbers, not partitions: a queue in the target lets whichever worker
 * is free take the next partition, so no worker idles while another holds two — which a runner's
 * hashing of partitions onto workers would not promise. A partition,
 * not a bundle, is the unit of work: runners cut bundles differently and retry them, so the
 * transaction boundary is the partition's own; a retried worker finds done partitions marked.
 *
 * <p>A lost source or target connection does not fail the worker at once: it reconnects and
 * copies the same partition again, as {@link PartitionRetries} says.
 */
public final class PartitionCopyFn extends DoFn<Integer, PartitionDone> {
  private final ConnectionSpec source;
  private final ConnectionSpec target;
  private final String snapshot;
  private final Map<String, TableCopy> tables;
  private final Map<String, PCollectionView<KeyMap>> keyMaps;
  private final OnOrphan onOrphan;
  private final PartitionCommit commit;

  private transient Connection sourceConnection;
  private transient Connection targetConnection;
  private transient Connection progressConnection;
  private transient boolean sourceFailed; // the last failure came from reading the source

  /**
   * @param tables the tables whose partitions this worker takes, by record name
   * @param keyMaps the backfill side inputs, by map id
   */
  PartitionCopyFn(ConnectionSpec source, ConnectionSpec target, String snapshot, Map<String, TableCopy> tables,
      Map<String, PCollectionView<KeyMap>> keyMaps, OnOrphan onOrphan, PartitionCommit commit) {
    this.source = source;
    this.target = target;
    this.snapshot = snapshot;
    this.tables = Map.copyOf(tables);
    this.keyMaps = Map.copyOf(keyMaps);
    this.onOrphan = onOrphan;
    this.commit = commit;
  }

  /** Connects on first use and again after a failure, so a retried worker gets fresh connections. */
  private void connect() throws SQLException {
    if (sourceConnection == null) {
      sourceFailed = true;
      sourceConnection = source.open();
      sourceFailed = false;
    }
    if (targetConnection == null) {
      targetConnection = target.open();
      targetConnection.setAutoCommit(false);
      progressConnection = target.open();
    }
  }

  @ProcessElement
  public void process(ProcessContext context) throws SQLException {
    List<String> queue = List.copyOf(tables.keySet());
    PartitionCommit.PartitionFeed feed = new PartitionCommit.PartitionFeed() {
      @Override
      public TableCopy table(ReadPartition partition) {
        return tables.get(partition.table());
      }

      @Override
      public PartitionCommit.RowFeed rows(ReadPartition partition) {
        TableCopy table = tables.get(partition.table());
        Backfilled backfilled = table.backfill() == null ? null : new Backfilled(table.backfill(),
            context.sideInput(keyMaps.get(table.backfill().mapId())), onOrphan, partition);
        return sink -> {
          // Which side failed is told by where the exception passes; a try costs nothing per row.
          boolean[] writeFailed = {false};
          try {
            SourceCopy.stream(sourceConnection, snapshot, table.copyOutSql(partition.predicate()), row -> {
              try {
                if (backfilled == null) {
                  sink.add(row);
                } else {
                  backfilled.give(sink, row);
                }
              } catch (SQLException | RuntimeException e) {
                writeFailed[0] = true;
                throw e;
              }
            });
          } catch (SQLException | RuntimeException e) {
            sourceFailed = !writeFailed[0]; // the stream failed while reading, not while writing
            throw e;
          }
        };
      }
    };
    PartitionRetries retries = commit.retries();
    ReadPartition retrying = null; // the partition whose connection was lost, to copy again first
    int retry = 0;
    String database = null; // the last lost connection's, and why
    String reason = null;
    while (true) {
      try {
        sourceFailed = false;
        connect();
        if (retrying != null) {
          RunRecord.on(progressConnection).retries().add(retrying, retry, database, reason);
          emit(context, commit.run(targetConnection, progressConnection, retrying, feed.table(retrying),
              feed.rows(retrying)));
          retrying = null;
          retry = 0;
        }
        PartitionDone done;
        while ((done = commit.runNext(targetConnection, progressConnection, queue, feed)) != null) {
          context.output(done);
          retry = 0;
        }
        return;
      } catch (SQLException | RuntimeException e) {
        if (!PartitionRetries.isConnectionLoss(e)) {
          String side = failedDatabase();
          teardown();
          if (e instanceof SQLException sql) {
            throw PartitionRetries.stopped(side, failedPartition(e, retrying),
                source.withoutSecrets(target.withoutSecrets(PartitionRetries.reason(e))), sql);
          }
          throw e;
        }
        database = failedDatabase();
        teardown(); // the partition's transaction is rolled back with its connection
        ReadPartition failed = failedPartition(e, retrying);
        if (!Objects.equals(failed, retrying)) {
          retrying = failed;
          retry = 0;
        }
        reason = source.withoutSecrets(target.withoutSecrets(PartitionRetries.reason(e)));
        if (retry == retries.retries()) {
          throw retries.exhausted(database, failed, reason, e);
        }
        retries.pause(++retry, failed, database, reason);
      }
    }
  }

  private static void emit(ProcessContext context, PartitionDone done) {
    if (done != null) {
      context.output(done);
    }
  }

  /** The partition {@code e} rolled back, else the one being retried (null when none). */
  private static ReadPartition failedPartition(Exception e, ReadPartition retrying) {
    return e instanceof PartitionFailure f && f.partition() != null ? f.partition() : retrying;
  }

  /** Which database failed: the source when reading it failed, else the target. */
  private String failedDatabase() {
    boolean onSource = sourceFailed;
    sourceFailed = false;
    return onSource ? PartitionRetries.describe("source", source) : PartitionRetries.describe("target", target);
  }

  @Teardown
  public void teardown() {
    PartitionCommit.close(sourceConnection, targetConnection, progressConnection);
    sourceConnection = null;
    targetConnection = null;
    progressConnection = null;
  }
}
