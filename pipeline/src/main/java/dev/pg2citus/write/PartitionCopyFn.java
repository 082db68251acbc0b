package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceSnapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one read partition: reads it from the source under the run's snapshot as COPY text, fills
 * an added distribution column from the backfill side input, and writes it to the target with COPY,
 * all in one target transaction that also marks the partition done.
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
  private final Map<String, PCollectionView<Map<String, String>>> keyMaps;
  private final OnError onError;
  private final OnOrphan onOrphan;
  private final int batchRows;
  private final long batchBytes;

  private transient Connection sourceConnection;
  private transient Connection targetConnection;

  /** See {@link dev.pg2citus.pipeline.MigrationPipeline} for how the arguments are built. */
  public PartitionCopyFn(ConnectionSpec source, ConnectionSpec target, String snapshot, Map<String, TableCopy> tables,
      Map<String, PCollectionView<Map<String, String>>> keyMaps, OnError onError, OnOrphan onOrphan, int batchRows,
      long batchBytes) {
    this.source = source;
    this.target = target;
    this.snapshot = snapshot;
    this.tables = Map.copyOf(tables);
    this.keyMaps = Map.copyOf(keyMaps);
    this.onError = onError;
    this.onOrphan = onOrphan;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
  }

  @Setup
  public void setup() throws SQLException {
    sourceConnection = source.open();
    targetConnection = target.open();
    targetConnection.setAutoCommit(false);
  }

  @ProcessElement
  public void process(ProcessContext context) throws SQLException {
    ReadPartition partition = context.element();
    TableCopy table = tables.get(partition.table());
    Map<String, String> keys = table.backfill() == null ? null
        : context.sideInput(keyMaps.get(table.backfill().mapId()));
    try {
      ProgressStore.Done done = copy(partition, table, keys);
      if (done != null) {
        context.output(done);
      }
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  private ProgressStore.Done copy(ReadPartition partition, TableCopy table, Map<String, String> keys)
      throws SQLException {
    long start = System.nanoTime();
    if (!ProgressStore.claim(targetConnection, partition)) {
      targetConnection.rollback();
      LOG.info("{}: done by an earlier attempt, skipped", partition);
      return null;
    }
    CopySink sink = new CopySink(targetConnection, table.copyInSql(), partition, onError, batchRows, batchBytes);
    SourceSnapshot.begin(sourceConnection, snapshot);
    CopyOut out = sourceConnection.unwrap(PGConnection.class).getCopyAPI()
        .copyOut(table.copyOutSql(partition.predicate()));
    long read = 0;
    long bytes = 0;
    byte[] row;
    while ((row = out.readFromCopy()) != null) {
      read++;
      bytes += row.length;
      if (keys != null) {
        row = backfill(row, table.backfill(), keys, sink, partition);
        if (row == null) {
          continue;
        }
      }
      sink.add(row);
    }
    long written = sink.flush();
    Metrics.counter("rows", partition.table()).inc(written);
    sourceConnection.commit();
    ProgressStore.Done done = new ProgressStore.Done(read, written, sink.rejects().size(), bytes,
        (System.nanoTime() - start) / 1_000_000);
    if (!sink.rejects().isEmpty()) {
      ProgressStore.reject(targetConnection, partition, sink.rejects());
    }
    ProgressStore.markDone(targetConnection, partition, done);
    targetConnection.commit();
    LOG.info("{}: {} rows read, {} written, {} rejected in {} ms", partition, read, written,
        done.rowsRejected(), done.millis());
    return done;
  }

  /** The row with its distribution value in front, or null when it has none (then it is rejected). */
  private byte[] backfill(byte[] row, TableCopy.Backfill backfill, Map<String, String> keys, CopySink sink,
      ReadPartition partition) throws SQLException {
    String key = CopyText.fields(row, backfill.keyFields());
    String value = key == null ? null : keys.get(key);
    if (value != null) {
      return CopyText.prepend(value, row);
    }
    String reason = key == null
        ? "the foreign key is NULL, so no distribution value can be found along " + backfill.path()
        : "the foreign key (" + key.replace('\t', ',') + ") leads to no distribution value along " + backfill.path();
    if (onOrphan == OnOrphan.STOP) {
      throw new SQLException(partition + ": " + reason + " (load.on-orphan: stop)");
    }
    sink.reject(row, reason);
    return null;
  }

  private void rollbackQuietly() {
    for (Connection c : new Connection[] {sourceConnection, targetConnection}) {
      try {
        if (c != null && !c.isClosed()) {
          c.rollback();
        }
      } catch (SQLException e) {
        LOG.warn("rollback failed: {}", e.getMessage());
      }
    }
  }

  @Teardown
  public void teardown() throws SQLException {
    for (Connection c : new Connection[] {sourceConnection, targetConnection}) {
      if (c != null) {
        c.close();
      }
    }
  }
}
