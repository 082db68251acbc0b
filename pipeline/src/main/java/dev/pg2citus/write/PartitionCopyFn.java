package dev.pg2citus.write;

import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one read partition: reads it from the source under the run's snapshot as COPY text, fills
 * an added distribution column from the backfill side input, and writes it to the target with COPY,
 * all in one target transaction that also marks the partition done ({@link PartitionCommit}).
 *
 * <p>The partition, not the bundle, is the unit of work: runners cut bundles differently (and
 * retry them), so the transaction boundary is the partition's own. A partition already marked done
 * is skipped; a half-written one never exists, since its transaction rolled back.
 */
public final class PartitionCopyFn extends DoFn<ReadPartition, ProgressStore.Done> {
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

  /** See {@link dev.pg2citus.pipeline.MigrationPipeline} for how the arguments are built. */
  public PartitionCopyFn(ConnectionSpec source, ConnectionSpec target, String snapshot, Map<String, TableCopy> tables,
      Map<String, PCollectionView<KeyMap>> keyMaps, OnOrphan onOrphan, PartitionCommit commit) {
    this.source = source;
    this.target = target;
    this.snapshot = snapshot;
    this.tables = Map.copyOf(tables);
    this.keyMaps = Map.copyOf(keyMaps);
    this.onOrphan = onOrphan;
    this.commit = commit;
  }

  /** Connects on first use and again after a failure, so a retried partition gets fresh connections. */
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
    ReadPartition partition = context.element();
    connect();
    TableCopy table = tables.get(partition.table());
    Backfilled backfilled = table.backfill() == null ? null : new Backfilled(table.backfill(),
        context.sideInput(keyMaps.get(table.backfill().mapId())), onOrphan, partition);
    try {
      ProgressStore.Done done = commit.run(targetConnection, progressConnection, partition, table, sink ->
          SourceCopy.stream(sourceConnection, snapshot, table.copyOutSql(partition.predicate()), backfilled == null
              ? sink::add : row -> backfilled.give(sink, row)));
      if (done != null) {
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
