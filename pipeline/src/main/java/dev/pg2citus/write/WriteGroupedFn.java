package dev.pg2citus.write;

import dev.pg2citus.runrecord.PartitionDone;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.backfill.JoinedRow;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.ReadRowsFn;
import dev.pg2citus.read.TableCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Writes a partition whose rows arrive from the shuffle join, grouped by partition: each row with
 * its foreign key and the distribution value found for it ({@link JoinedRow}), and the partition's
 * start, so that a partition without rows is marked done too. The same partition transaction as
 * the side-input path ({@link PartitionCommit}).
 */
public final class WriteGroupedFn extends DoFn<KV<String, Iterable<JoinedRow>>, PartitionDone> {
  private final ConnectionSpec target;
  private final Map<String, TableCopy> tables;
  private final Map<String, ReadPartition> partitions = new LinkedHashMap<>();
  private final OnOrphan onOrphan;
  private final PartitionCommit commit;
  private transient Connection connection;
  private transient Connection progress;

  public WriteGroupedFn(ConnectionSpec target, Map<String, TableCopy> tables, List<ReadPartition> partitions,
      OnOrphan onOrphan, PartitionCommit commit) {
    this.target = target;
    this.tables = Map.copyOf(tables);
    partitions.forEach(p -> this.partitions.put(ReadRowsFn.key(p), p));
    this.onOrphan = onOrphan;
    this.commit = commit;
  }

  @Setup
  public void setup() throws SQLException {
    connection = target.open();
    connection.setAutoCommit(false);
    progress = target.open();
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<JoinedRow>> group, OutputReceiver<PartitionDone> out)
      throws SQLException {
    ReadPartition partition = partitions.get(group.getKey());
    TableCopy table = tables.get(partition.table());
    PartitionCommit.RowFeed feed = sink -> {
      for (JoinedRow row : group.getValue()) {
        if (!row.isPartitionStart()) {
          Backfilled.give(sink, row.row(), row.key(), row.value(), table.backfill(), onOrphan, partition);
        }
      }
    };
    String lost = PartitionRetries.describe("target", target);
    String reason = null;
    // The rows are Beam's: only the target connection can be lost, and the group can be read again.
    for (int retry = 0; ; retry++) {
      try {
        if (connection == null) {
          setup();
        }
        if (retry > 0) {
          RunRecord.on(progress).retries().add(partition, retry, lost, reason);
        }
        PartitionDone done = commit.run(connection, progress, partition, table, feed);
        if (done != null) {
          out.output(done);
        }
        return;
      } catch (SQLException | RuntimeException e) {
        if (!PartitionRetries.isConnectionLoss(e)) {
          if (e instanceof SQLException sql) {
            throw PartitionRetries.stopped(lost, partition, target.withoutSecrets(PartitionRetries.reason(e)), sql);
          }
          throw e;
        }
        teardown();
        reason = target.withoutSecrets(PartitionRetries.reason(e));
        if (retry == commit.retries().retries()) {
          throw commit.retries().exhausted(lost, partition, reason, e);
        }
        commit.retries().pause(retry + 1, partition, lost, reason);
      }
    }
  }

  @Teardown
  public void teardown() {
    PartitionCommit.close(connection, progress);
    connection = null;
    progress = null;
  }
}
