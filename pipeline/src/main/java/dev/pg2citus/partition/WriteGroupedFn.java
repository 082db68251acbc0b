package dev.pg2citus.partition;

import dev.pg2citus.backfill.Backfilled;
import dev.pg2citus.backfill.JoinedRow;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.partition.PartitionTransaction.Claim;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.ReadRowsFn;
import dev.pg2citus.runrecord.PartitionDone;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * A copy worker of the shuffle path: writes a partition whose rows arrive joined by the shuffle
 * ({@link JoinedRow}), grouped by partition, with the partition's start, so that a partition
 * without rows is marked done too. The same {@link PartitionTransaction} and {@link RetryPolicy}
 * as the side-input path; the rows are Beam's, so only the target connection can be lost, and the
 * group can be read again.
 */
public final class WriteGroupedFn extends DoFn<KV<String, Iterable<JoinedRow>>, PartitionDone> {
  private final ConnectionSpec target;
  private final Map<String, ReadPartition> partitions = new LinkedHashMap<>();
  private final OnOrphan onOrphan;
  private final PartitionTransaction transaction;
  private final RetryPolicy retries;
  private transient WorkerConnections connections;

  public WriteGroupedFn(ConnectionSpec target, List<ReadPartition> partitions, OnOrphan onOrphan,
      PartitionTransaction transaction, RetryPolicy retries) {
    this.target = target;
    partitions.forEach(p -> this.partitions.put(ReadRowsFn.key(p), p));
    this.onOrphan = onOrphan;
    this.transaction = transaction;
    this.retries = retries;
  }

  @Setup
  public void setup() {
    connections = new WorkerConnections(null, target);
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<JoinedRow>> group, OutputReceiver<PartitionDone> out)
      throws SQLException {
    ReadPartition partition = partitions.get(group.getKey());
    PartitionTransaction.Rows rows = (p, table, sink) -> {
      Backfilled backfilled = new Backfilled(table.backfill(), null, onOrphan, p);
      for (JoinedRow row : group.getValue()) {
        if (!row.isPartitionStart()) {
          backfilled.give(sink, row);
        }
      }
    };
    PartitionDone done = retries.run(connections, partition,
        again -> transaction.run(connections, Claim.of(partition), rows));
    if (done != null) {
      out.output(done);
    }
  }

  @Teardown
  public void teardown() {
    if (connections != null) {
      connections.stop();
    }
  }
}
