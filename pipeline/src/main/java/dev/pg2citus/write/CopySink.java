package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * Streams one partition's rows into the target with COPY, inside the partition's transaction: each
 * row is copied once, into a 64 kB buffer that goes out on the COPY as soon as it is full, so the
 * source is read while the target writes. A COPY statement ends every {@code batchRows} rows or
 * {@code batchBytes} bytes, whichever comes first, and progress is reported then.
 *
 * <p>With {@link OnError#STOP} a failed batch stops the partition. With {@link OnError#REJECT} the
 * batch's bytes are kept too, and a failed batch is rolled back to its savepoint and written again
 * without its bad rows, each found by the line the server names or by halving, and recorded as
 * rejected with PostgreSQL's reason; the rest loads. That costs a few statements per bad row, about
 * twice the log of the batch's rows at most.
 *
 * <p>pgjdbc's CopyManager is used directly rather than JdbcIO's batched INSERTs: rows already are
 * COPY text from the source, so they go through unparsed, and COPY is several times faster.
 */
public final class CopySink {
  private static final int CHUNK = 64 * 1024;
  private static final byte TAB = '\t';
  /** The context PostgreSQL gives an error in a COPY's rows: the relation, unquoted, and the line. */
  /** A quoted shard name in a message: the table's or constraint's name and {@code _<shard id>}. */
  private static final Pattern SHARD_NAME = Pattern.compile("\"[^\"]*_\\d+\"");
  private static final Pattern COPY_LINE = Pattern.compile("COPY (.+?), line (\\d+)");

  private final Connection target;
  private final CopyManager copy;
  private final String copySql;
  private final String relation;
  private final ReadPartition partition;
  private final int batchRows;
  private final long batchBytes;
  private final LongConsumer progress;
  private final Batch kept; // the open batch's rows, with OnError.REJECT only
  private final List<String[]> rejects = new ArrayList<>();
  private final byte[] chunk = new byte[CHUNK];
  private int used;
  private CopyIn in;
  private Savepoint savepoint;
  private SQLException failed; // with REJECT: the open batch failed; its rows are isolated when it ends
  private int rowsInBatch;
  private long bytesInBatch;
  private long written;
  private long rows;
  private long bytes;
  private long isolationCopies;

  /** @param progress told the rows written so far after each batch */
  CopySink(Connection target, TableCopy table, ReadPartition partition, OnError onError, int batchRows,
      long batchBytes, LongConsumer progress) throws SQLException {
    this.target = target;
    this.copy = target.unwrap(PGConnection.class).getCopyAPI();
    this.copySql = table.copyInSql();
    this.relation = table.table();
    this.partition = partition;
    this.batchRows = batchRows;
    this.batchBytes = batchBytes;
    this.progress = progress;
    this.kept = onError == OnError.REJECT ? new Batch() : null;
  }

  /** Writes a source row as it is. */
  public void add(byte[] row) throws SQLException {
    add(null, 0, 0, row);
  }

  /**
   * Writes {@code head[offset, offset + length)}, a tab, then the source row: the row with its
   * added distribution value as the first column. With no {@code head}, the row alone.
   */
  public void add(byte[] head, int offset, int length, byte[] row) throws SQLException {
    if (in == null) {
      open();
    }
    int headBytes = head == null ? 0 : length + 1;
    rows++;
    bytes += headBytes + row.length;
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

  /** Ends the open batch; returns the rows written so far. */
  long flush() throws SQLException {
    if (in != null) {
      endBatch();
    }
    return written;
  }

  List<String[]> rejects() {
    return rejects;
  }

  /** Ends an open COPY without committing it, so the partition's transaction can roll back. */
  void abort() throws SQLException {
    if (in != null && in.isActive()) {
      in.cancelCopy();
    }
    in = null;
  }

  private void open() throws SQLException {
    if (kept != null) {
      savepoint = target.setSavepoint();
    }
    in = copy.copyIn(copySql);
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
      isolate(0, kept.size(), e);
    }
    savepoint = null;
    if (kept != null) {
      kept.clear();
    }
    progress.accept(written);
  }

  /** A failed COPY: stops the partition, or (rejecting) marks the batch for isolation when it ends. */
  private void failBatch(SQLException e) throws SQLException {
    if (in != null && in.isActive()) {
      try {
        in.cancelCopy();
      } catch (SQLException cancel) {
        e.addSuppressed(cancel);
      }
    }
    if (kept == null || !isRowError(e)) {
      throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
    }
    failed = e;
  }

  /**
   * Writes the good rows of kept rows {@code [from, to)}, which failed as one COPY, and rejects the
   * bad ones, each with the server's reason. Where the server names the line it refused (its own
   * parser's errors: types, lengths, encodings), the rows before it go in again as one COPY and
   * that row is rejected, so such a row costs two statements; otherwise (a constraint checked on a
   * Citus worker) the range is halved until the bad rows stand alone. Failed statements are what
   * cost on Citus (each rolls a savepoint back on every shard connection of the transaction), so a
   * half known to fail is split without being tried whole. {@link #isolationCopies} counts them.
   *
   * @param failure why {@code [from, to)} failed as one COPY; null when it was not tried as one but
   *     must fail (the first half of a failed range went in)
   */
  private void isolate(int from, int to, SQLException failure) throws SQLException {
    SQLException e = failure;
    while (from < to) {
      if (e == null && to - from == 1) {
        e = copy(from, to); // a lone row's own reason
        if (e == null) {
          return;
        }
      }
      if (to - from == 1) {
        rejects.add(new String[] {kept.sourceRow(from), e.getMessage()});
        return;
      }
      int line = e == null ? 0 : refusedLine(e, to - from);
      if (line > 0) {
        int bad = from + line - 1;
        retry(from, bad); // the rows the server read before it
        rejects.add(new String[] {kept.sourceRow(bad), e.getMessage()});
        from = bad + 1;
        e = from < to ? copy(from, to) : null;
        if (e == null) {
          return;
        }
        continue;
      }
      int half = (from + to) >>> 1;
      SQLException first = copy(from, half);
      if (first == null) {
        e = null; // the bad rows are in the second half
      } else {
        isolate(from, half, first);
        e = copy(half, to);
        if (e == null) {
          return;
        }
      }
      from = half;
    }
  }

  /** Writes kept rows {@code [from, to)} as one COPY, isolating bad rows when it fails. */
  private void retry(int from, int to) throws SQLException {
    if (from < to) {
      SQLException e = copy(from, to);
      if (e != null) {
        isolate(from, to, e);
      }
    }
  }

  /**
   * COPYs kept rows {@code [from, to)} under a savepoint: null when they went in, else the row error
   * that refused them (rolled back to the savepoint). The rows go out in chunks, so a refusal stops
   * the sending soon after the bad row rather than at the end of the range.
   */
  private SQLException copy(int from, int to) throws SQLException {
    isolationCopies++;
    Savepoint sp = target.setSavepoint();
    CopyIn retry = copy.copyIn(copySql);
    try {
      int end = kept.start(to);
      for (int at = kept.start(from); at < end; at += CHUNK) {
        retry.writeToCopy(kept.bytes, at, Math.min(CHUNK, end - at));
      }
      written += retry.endCopy();
      target.releaseSavepoint(sp);
      return null;
    } catch (SQLException e) {
      if (retry.isActive()) {
        try {
          retry.cancelCopy();
        } catch (SQLException cancel) {
          e.addSuppressed(cancel);
        }
      }
      target.rollback(sp);
      if (!isRowError(e)) {
        throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
      }
      return e;
    }
  }

  /** COPY statements written to isolate bad rows, so far. */
  long isolationCopies() {
    return isolationCopies;
  }

  /**
   * The line of a COPY of {@code rows} lines that the server says it refused ({@code COPY items,
   * line 7, …}), or 0 when it names none or another relation (a Citus shard's own COPY).
   */
  private int refusedLine(SQLException e, int rows) {
    if (!(e instanceof PSQLException psql) || psql.getServerErrorMessage() == null
        || psql.getServerErrorMessage().getWhere() == null) {
      return 0;
    }
    Matcher m = COPY_LINE.matcher(psql.getServerErrorMessage().getWhere());
    if (!m.lookingAt() || !(relation.equals(m.group(1)) || relation.endsWith("." + m.group(1)))) {
      return 0;
    }
    long line = Long.parseLong(m.group(2));
    return line >= 1 && line <= rows ? (int) line : 0;
  }

  /**
   * Whether the failure is about the rows (data exceptions, class 22; constraint violations, 23), so
   * isolating the bad ones makes sense. Anything else (a lost connection, a lock timeout, missing
   * privileges) would fail every row alike: it stops the partition, to be redone on resume. Citus
   * passes a worker's COPY error on without its SQLSTATE (as XX000); a row's error there names the
   * shard's relation or constraint ({@code "items_102008"}, {@code "items_pkey_102039"}).
   */
  private static boolean isRowError(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    if (state.startsWith("22") || state.startsWith("23")) {
      return true;
    }
    return state.equals("XX000") && e instanceof PSQLException psql && psql.getServerErrorMessage() != null
        && psql.getServerErrorMessage().getMessage() != null
        && SHARD_NAME.matcher(psql.getServerErrorMessage().getMessage()).find();
  }

  /** The open batch's rows as written, back to back, and where each begins and its source row starts. */
  private static final class Batch {
    private byte[] bytes = new byte[CHUNK];
    private int length;
    private int[] starts = new int[1024];
    private int[] sourceStarts = new int[1024];
    private int count;

    void add(byte[] head, int offset, int headLength, byte[] row) {
      int size = (head == null ? 0 : headLength + 1) + row.length;
      if (count + 1 >= starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
        sourceStarts = Arrays.copyOf(sourceStarts, sourceStarts.length * 2);
      }
      if (length + size > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(length + size, bytes.length * 2));
      }
      starts[count] = length;
      if (head != null) {
        System.arraycopy(head, offset, bytes, length, headLength);
        bytes[length + headLength] = TAB;
        length += headLength + 1;
      }
      sourceStarts[count] = length;
      System.arraycopy(row, 0, bytes, length, row.length);
      length += row.length;
      count++;
      starts[count] = length;
    }

    int size() {
      return count;
    }

    /** Where row {@code i} begins; {@code start(size())} is the end of the last. */
    int start(int i) {
      return starts[i];
    }

    /** Row {@code i} as the source had it (without an added first column), without its line end. */
    String sourceRow(int i) {
      int end = starts[i + 1];
      if (end > sourceStarts[i] && bytes[end - 1] == '\n') {
        end--;
      }
      return CopyText.text(bytes, sourceStarts[i], end);
    }

    void clear() {
      length = 0;
      count = 0;
    }
  }
}
