package dev.pg2citus.read;

import dev.pg2citus.config.ConnectionSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Reads a partition's rows for a shuffle join, under the run's snapshot: each row keyed by its
 * foreign-key fields ({@link #NULL_KEY} when one is NULL), with the partition it belongs to, so
 * the rows can be joined with the key map and regrouped by partition for writing.
 */
public final class ReadRowsFn extends DoFn<ReadPartition, KV<String, PartitionRow>> {
  /** The key of rows whose foreign key has a NULL: COPY text never holds a NUL character. */
  public static final String NULL_KEY = "\u0000";

  private final ConnectionSpec source;
  private final String snapshot;
  private final Map<String, TableCopy> tables;
  private transient Connection connection;

  public ReadRowsFn(ConnectionSpec source, String snapshot, Map<String, TableCopy> tables) {
    this.source = source;
    this.snapshot = snapshot;
    this.tables = Map.copyOf(tables);
  }

  /** Names a partition in shuffles: table and number. */
  public static String key(ReadPartition p) {
    return p.table() + NULL_KEY + p.number();
  }

  @Setup
  public void setup() throws SQLException {
    connection = source.open();
  }

  @ProcessElement
  public void process(@Element ReadPartition partition, OutputReceiver<KV<String, PartitionRow>> out)
      throws SQLException {
    TableCopy table = tables.get(partition.table());
    String partitionKey = key(partition);
    try {
      new PartitionReader(connection, snapshot).read(table, partition, row -> {
        String key = CopyText.fields(row, table.backfill().keyFields());
        out.output(KV.of(key == null ? NULL_KEY : key, new PartitionRow(partitionKey, row)));
      }, PartitionReader.stop()); // a shuffled row is rejected nowhere: such a row stops the run
    } catch (SQLException e) {
      throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  @Teardown
  public void teardown() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}
