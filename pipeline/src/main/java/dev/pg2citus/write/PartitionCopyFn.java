package dev.pg2citus.write;

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
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 */
public final class PartitionCopyFn extends DoFn<Integer, ProgressStore.Done> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionCopyFn.class);
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
      sourceConnection = source.open();
    }
    if (targetConnection == null) {
      targetConnection = target.open();
      targetConnection.setAutoCommit(false);
      progressConnection = target.open();
    }
  }

  @ProcessElement
  public void process(ProcessContext context) throws SQLException {
    connect();
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
        return sink -> SourceCopy.stream(sourceConnection, snapshot, table.copyOutSql(partition.predicate()),
            backfilled == null ? sink::add : row -> backfilled.give(sink, row));
      }
    };
    try {
      ProgressStore.Done done;
      while ((done = commit.runNext(targetConnection, progressConnection, queue, feed)) != null) {
        context.output(done);
      }
    } catch (SQLException | RuntimeException e) {
      teardown();
      throw e;
    }
  }

  @Teardown
  public void teardown() {
    for (Connection c : new Connection[] {sourceConnection, targetConnection, progressConnection}) {
      try {
        if (c != null) {
          c.close(); // an open transaction rolls back
        }
      } catch (SQLException e) {
        LOG.debug("closing a broken connection: {}", e.getMessage());
      }
    }
    sourceConnection = null;
    targetConnection = null;
    progressConnection = null;
  }
}
