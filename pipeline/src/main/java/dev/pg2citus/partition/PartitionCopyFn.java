package dev.pg2citus.partition;

import dev.pg2citus.backfill.Backfilled;
import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.partition.PartitionTransaction.Claim;
import dev.pg2citus.read.PartitionReader;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceCopy;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.runrecord.PartitionDone;
import dev.pg2citus.write.RowSink;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A copy worker of the side-input path: takes partitions from the run record's queue, smallest
 * first, until none is left, each in its {@link PartitionTransaction}, retried as the {@link
 * RetryPolicy} says. Its rows are read from the source ({@link PartitionReader}) and joined with
 * the backfill side input ({@link Backfilled}).
 *
 * <p>The elements are worker numbers, not partitions: a queue in the target lets whichever worker
 * is free take the next partition, so no worker idles while another holds two — which a runner's
 * hashing of partitions onto workers would not promise. A partition, not a bundle, is the unit of
 * work: runners cut bundles differently and retry them, so the transaction boundary is the
 * partition's own; a retried worker finds done partitions marked.
 */
public final class PartitionCopyFn extends DoFn<Integer, PartitionDone> {
  private final ConnectionSpec source;
  private final ConnectionSpec target;
  private final String snapshot;
  private final List<String> queue;
  private final Map<String, PCollectionView<KeyMap>> keyMaps;
  private final OnOrphan onOrphan;
  private final PartitionTransaction transaction;
  private final RetryPolicy retries;

  private transient WorkerConnections connections;

  /**
   * @param queue the tables whose partitions this worker takes, by run record name
   * @param keyMaps the backfill side inputs, by map id
   */
  PartitionCopyFn(ConnectionSpec source, ConnectionSpec target, String snapshot, List<String> queue,
      Map<String, PCollectionView<KeyMap>> keyMaps, OnOrphan onOrphan, PartitionTransaction transaction,
      RetryPolicy retries) {
    this.source = source;
    this.target = target;
    this.snapshot = snapshot;
    this.queue = List.copyOf(queue);
    this.keyMaps = Map.copyOf(keyMaps);
    this.onOrphan = onOrphan;
    this.transaction = transaction;
    this.retries = retries;
  }

  @Setup
  public void setup() {
    connections = new WorkerConnections(source, target);
  }

  @ProcessElement
  public void process(ProcessContext context) throws SQLException {
    PartitionTransaction.Rows rows = (partition, table, sink) -> new PartitionReader(connections.source(), snapshot)
        .read(table, partition, joined(context, table, partition, sink), notUtf8(sink));
    PartitionDone done;
    // One call of the policy a partition: a partition lost midway is copied again first, then the queue goes on.
    while ((done = retries.run(connections, null, again -> {
      PartitionDone redone = again == null ? null
          : transaction.run(connections, Claim.of(again), rows);
      return redone != null ? redone
          : transaction.run(connections, Claim.next(queue), rows);
    })) != null) {
      context.output(done);
    }
  }

  /** What takes the partition's source rows: the sink, or the join with the side input in front of it. */
  private SourceCopy.RowHandler joined(ProcessContext context, TableCopy table, ReadPartition partition,
      RowSink sink) {
    if (table.backfill() == null) {
      return sink::add;
    }
    Backfilled backfilled = new Backfilled(table.backfill(),
        context.sideInput(keyMaps.get(table.backfill().mapId())), onOrphan, partition);
    return row -> backfilled.give(sink, row);
  }

  /** A SQL_ASCII source's row that is not UTF-8: rejected with its bytes, or the run stopped, as load.on-error says. */
  private PartitionReader.NotUtf8 notUtf8(RowSink sink) {
    if (transaction.onError() == OnError.REJECT) {
      return sink::reject;
    }
    return PartitionReader.stop();
  }

  @Teardown
  public void teardown() {
    if (connections != null) {
      connections.stop();
    }
  }
}
