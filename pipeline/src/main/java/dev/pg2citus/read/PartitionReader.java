package dev.pg2citus.read;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * Where a table's rows are read: one partition of it, from the source, under the run's snapshot,
 * handed on row by row as COPY text ({@link SourceCopy}). A failure of the source is a {@link
 * SourceException}; what the handler throws passes through as it is.
 *
 * <p>A SQL_ASCII source stores whatever bytes it is given and refuses to send text that is not
 * UTF-8 to a UTF-8 client, stopping the whole COPY at the first such row: its rows are read as
 * bytes (client_encoding SQL_ASCII), and each that is not UTF-8 goes to its own handler, the rest
 * loading. Columns whose encoding the configuration names arrive converted ({@code load.encodings}).
 */
public final class PartitionReader {
  private static final String SQL_ASCII = "SQL_ASCII";

  /** What is done with a row that is not UTF-8. */
  public interface NotUtf8 {
    /**
     * @param row the row's bytes as the source holds them
     * @param reason why it cannot be written, naming the first bad byte and what to do
     */
    void row(byte[] row, String reason) throws SQLException;
  }

  /** Stops at a row that is not UTF-8, as at any row the target refuses ({@code load.on-error: stop}). */
  public static NotUtf8 stop() {
    return (row, reason) -> {
      throw new SourceException(new SQLException(reason + "; or set load.on-error: reject to write"
          + " such rows to the reject file, the rest loading", "22021"));
    };
  }

  private final Connection source;
  private final String snapshot;

  /** @param snapshot the exported snapshot to read in, or null to read the source as it is */
  public PartitionReader(Connection source, String snapshot) {
    this.source = source;
    this.snapshot = snapshot;
  }

  /** Streams the rows of {@code partition} of {@code table} to {@code handler}, in one read transaction. */
  public void read(TableCopy table, ReadPartition partition, SourceCopy.RowHandler handler, NotUtf8 notUtf8)
      throws SQLException {
    SourceCopy.RowHandler rows = handler;
    if (SQL_ASCII.equals(parameter("server_encoding"))) {
      readBytes();
      rows = row -> {
        int at = CopyText.notUtf8At(row);
        if (at < 0) {
          handler.row(row);
        } else {
          notUtf8.row(row, String.format("byte 0x%02X at offset %d of the row is not UTF-8: the source database is"
              + " SQL_ASCII, which keeps whatever bytes it was given; name their encoding for %s (or the column)"
              + " in load.encodings to convert them", row[at] & 0xFF, at, table.table()));
        }
      };
    }
    SourceCopy.stream(source, snapshot, table.copyOutSql(partition.predicate()), rows);
  }

  /** The rows as the source holds them, once per session; pgjdbc allows it for source sessions. */
  private void readBytes() throws SQLException {
    if (SQL_ASCII.equals(parameter("client_encoding"))) {
      return;
    }
    try (Statement st = source.createStatement()) {
      st.execute("SET client_encoding = '" + SQL_ASCII + "'");
    } catch (SQLException e) {
      throw new SourceException(e);
    }
    if (!source.getAutoCommit()) {
      source.commit(); // the snapshot's transaction must begin with the import
    }
  }

  private String parameter(String name) throws SQLException {
    return source.unwrap(PGConnection.class).getParameterStatus(name);
  }
}
