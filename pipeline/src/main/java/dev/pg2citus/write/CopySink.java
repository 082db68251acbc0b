package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.sql.FailedStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams one partition's rows into the target with COPY, inside the partition's transaction: each
 * row is copied once, into a 64 kB buffer that goes out on the COPY as soon as it is full, so the
 * source is read while the target writes. A COPY statement ends every {@code batchRows} rows or
 * {@code batchBytes} bytes, whichever comes first, and progress is reported then.
 *
 * <p>With {@link OnError#STOP} a failed batch stops the partition. With {@link OnError#REJECT} the
 * batch's bytes are kept too, and a failed batch is rolled back to its savepoint and written again
 * without its bad rows, found as {@link RowIsolation} says, each recorded as rejected with
 * PostgreSQL's reason; the rest loads.
 *
 * <p>pgjdbc's CopyManager is used directly rather than JdbcIO's batched INSERTs: rows already are
 * COPY text from the source, so they go through unparsed, and COPY is several times faster.
 */
public final class CopySink extends RowSink {
  private static final int CHUNK = 64 * 1024;
  private static final byte TAB = '\t';

  private final Connection target;
  private final CopyManager copy;
  private final TableCopy table;
  private final Connection probe;
  private final ReadPartition partition;
  private final int batchRows;
  private final long batchBytes;
  private final LongConsumer progress;
  private final KeptBatch kept; // the open batch's rows, with OnError.REJECT only
  private final byte[] chunk = new byte[CHUNK];
  private int used;
  private CopyIn in;
  private Savepoint savepoint;
  private SQLException failed; // with REJECT: the open batch failed; its rows are isolated when it ends
  private int rowsInBatch;
  private long bytesInBatch;
  private long written;
  private long isolationCopies;

  /**
   * @param probe an autocommit connection to the target, idle between batches, on which a failed
   *     batch is screened for bad rows ({@link RowIsolation#screen}); null to isolate them in the
   *     partition's transaction alone
   * @param progress told the rows written so far after each batch
   */
  public CopySink(Connection target, Connection probe, TableCopy table, ReadPartition partition, OnError onError,
      int batchRows, long batchBytes, LongConsumer progress) throws SQLException {
    this.target = target;
    this.probe = probe;
    this.copy = target.unwrap(PGConnection.class).getCopyAPI();
    this.table = table;
    this.partition = partition;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.progress = progress;
    this.kept = onError == OnError.REJECT ? new KeptBatch() : null;
  }

  @Override
  public void add(byte[] head, int offset, int length, byte[] row) throws SQLException {
    if (in == null) {
      open();
    }
    int headBytes = head == null ? 0 : length + 1;
    counted(headBytes + row.length);
    rowsInBatch++;
    bytesInBatch += headBytes + row.length;
    if (kept != null) {
      kept.add(head, offset, length, row);
    }
    if (failed == null) {
      try {
        if (head != null) {
          put(head, offset, length);
          put(TAB);
        }
        put(row, 0, row.length);
      } catch (SQLException e) {
        failBatch(e);
      }
    }
    if (rowsInBatch >= batchRows || bytesInBatch >= batchBytes) {
      endBatch();
    }
  }




  /** Ends the open batch; returns the rows written so far. */
  @Override
  public long flush() throws SQLException {
    if (in != null) {
      endBatch();
    }
    return written;
  }


  @Override
  public void abort() throws SQLException {
    if (in != null && in.isActive()) {
      in.cancelCopy();
    }
    in = null;
  }

  private void open() throws SQLException {
    if (kept != null) {
      savepoint = target.setSavepoint();
    }
    String sql = table.copyInSql();
    try {
      in = copy.copyIn(sql);
    } catch (SQLException e) {
      throw new FailedStatement(sql, e);
    }
  }

  private void put(byte value) throws SQLException {
    if (used == CHUNK) {
      send();
    }
    chunk[used++] = value;
  }

  private void put(byte[] bytes, int offset, int length) throws SQLException {
    if (used + length > CHUNK) {
      send();
      if (length > CHUNK) {
        in.writeToCopy(bytes, offset, length);
        return;
      }
    }
    System.arraycopy(bytes, offset, chunk, used, length);
    used += length;
  }

  private void send() throws SQLException {
    if (used > 0) {
      in.writeToCopy(chunk, 0, used);
      used = 0;
    }
  }

  private void endBatch() throws SQLException {
    if (failed == null) {
      try {
        send();
        written += in.endCopy();
        if (savepoint != null) {
          target.releaseSavepoint(savepoint);
        }
      } catch (SQLException e) {
        failBatch(e);
      }
    }
    in = null;
    used = 0;
    rowsInBatch = 0;
    bytesInBatch = 0;
    if (failed != null) {
      SQLException e = failed;
      failed = null;
      target.rollback(savepoint);
      isolate(e);
    }
    savepoint = null;
    if (kept != null) {
      kept.clear();
    }
    progress.accept(written);
  }

  /**
   * Writes the failed batch again without its bad rows: those that fail alone are found on the
   * probe and left out, then the rest goes in as one COPY; what only the target tells (keys) is
   * isolated in the partition's transaction.
   */
  private void isolate(SQLException failure) throws SQLException {
    int screened = 0;
    if (probe != null) {
      String[] reasons = new String[kept.size()];
      boolean[] refused = RowIsolation.screen(probe, table, kept, partition, reasons);
      for (int i = 0; refused != null && i < refused.length; i++) {
        if (refused[i]) {
          rejected(kept.sourceRow(i), reasons[i]);
          screened++;
        }
      }
      if (screened > 0) {
        kept.remove(refused);
      }
    }
    RowIsolation isolation = new RowIsolation(target, table.copyInSql(), table.name(), kept, partition,
        (i, e) -> rejected(kept.sourceRow(i), e.getMessage()));
    if (screened == 0) {
      isolation.isolate(0, kept.size(), failure);
    } else {
      isolation.retry(0, kept.size());
    }
    written += isolation.written();
    isolationCopies += isolation.copies();
  }

  /** COPY statements written in the partition's transaction to isolate bad rows, so far. */
  @Override
  public long isolationCopies() {
    return isolationCopies;
  }

  /** A failed COPY: stops the partition, or (rejecting) marks the batch for isolation when it ends. */
  private void failBatch(SQLException e) throws SQLException {
    RowIsolation.cancel(in, e);
    if (kept == null || !RowIsolation.isRowError(e)) {
      throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
    }
    failed = e;
  }
}
