package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Writes one partition's rows into the target with COPY, in batches of at most {@code batchRows}
 * rows and {@code batchBytes} bytes, inside the partition's transaction. A failed batch either stops
 * the partition ({@link OnError#STOP}) or is split in halves under savepoints until each bad row
 * stands alone, is recorded as rejected with PostgreSQL's reason, and the rest loads
 * ({@link OnError#REJECT}).
 *
 * <p>pgjdbc's CopyManager is used directly rather than JdbcIO's batched INSERTs: rows already are
 * COPY text from the source, so they go through unparsed, and COPY is several times faster.
 */
public final class CopySink {
  private static final int CHUNK = 64 * 1024;

  private final Connection target;
  private final CopyManager copy;
  private final String copySql;
  private final ReadPartition partition;
  private final OnError onError;
  private final int batchRows;
  private final long batchBytes;
  private final LongConsumer progress;
  private final boolean prepended;
  private final List<byte[]> batch = new ArrayList<>();
  private final List<String[]> rejects = new ArrayList<>();
  private final byte[] chunk = new byte[CHUNK];
  private long batchSize;
  private long written;
  private long rows;
  private long bytes;

  /**
   * @param prepended whether rows come with their added distribution value in front (rejects keep the source row)
   * @param progress told the rows written so far after each batch
   */
  CopySink(Connection target, String copySql, ReadPartition partition, OnError onError, int batchRows,
      long batchBytes, boolean prepended, LongConsumer progress) throws SQLException {
    this.target = target;
    this.copy = target.unwrap(PGConnection.class).getCopyAPI();
    this.copySql = copySql;
    this.partition = partition;
    this.onError = onError;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.progress = progress;
    this.prepended = prepended;
  }

  public void add(byte[] row) throws SQLException {
    rows++;
    bytes += row.length;
    batch.add(row);
    batchSize += row.length;
    if (batch.size() >= batchRows || batchSize >= batchBytes) {
      flush();
    }
  }

  /** A row refused before it reached the target (its distribution value could not be found). */
  public void reject(byte[] row, String reason) {
    rows++;
    rejects.add(new String[] {CopyText.text(row), reason});
  }

  /** Rows given to the sink, written or rejected. */
  long rows() {
    return rows;
  }

  /** Bytes of the rows given to be written. */
  long bytes() {
    return bytes;
  }

  /** Writes what is batched; returns the rows written so far. */
  long flush() throws SQLException {
    if (!batch.isEmpty()) {
      if (onError == OnError.STOP) {
        try {
          written += write(batch);
        } catch (SQLException e) {
          throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
        }
      } else {
        writeIsolating(batch);
      }
      batch.clear();
      batchSize = 0;
      progress.accept(written);
    }
    return written;
  }

  List<String[]> rejects() {
    return rejects;
  }

  private void writeIsolating(List<byte[]> rows) throws SQLException {
    Savepoint savepoint = target.setSavepoint();
    try {
      written += write(rows);
      target.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      target.rollback(savepoint);
      if (!isRowError(e)) {
        throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
      }
      if (rows.size() == 1) {
        byte[] row = prepended ? CopyText.withoutFirst(rows.get(0)) : rows.get(0);
        rejects.add(new String[] {CopyText.text(row), e.getMessage()});
        return;
      }
      int half = rows.size() / 2;
      writeIsolating(rows.subList(0, half));
      writeIsolating(rows.subList(half, rows.size()));
    }
  }

  /**
   * Whether the failure is about the rows (data exceptions, class 22; constraint violations, 23), so
   * isolating the bad ones makes sense. Anything else (a lost connection, a lock timeout, missing
   * privileges) would fail every row alike: it stops the partition, to be redone on resume.
   */
  private static boolean isRowError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  private long write(List<byte[]> rows) throws SQLException {
    CopyIn in = copy.copyIn(copySql);
    try {
      int used = 0;
      for (byte[] row : rows) {
        if (used + row.length > CHUNK) {
          in.writeToCopy(chunk, 0, used);
          used = 0;
        }
        if (row.length > CHUNK) {
          in.writeToCopy(row, 0, row.length);
        } else {
          System.arraycopy(row, 0, chunk, used, row.length);
          used += row.length;
        }
      }
      if (used > 0) {
        in.writeToCopy(chunk, 0, used);
      }
      return in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }
}
