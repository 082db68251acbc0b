package dev.pg2citus.read;

import dev.pg2citus.sql.FailedStatement;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The one way rows leave the source: a {@code COPY (…) TO STDOUT} in text format, inside a read
 * transaction of the run's snapshot, handed on row by row as PostgreSQL printed them. Partition
 * rows, shuffled rows and backfill keys are all read through it.
 *
 * <p>pgjdbc's COPY API rather than JdbcIO's result sets: COPY text is exact for every type (JDBC
 * types lose microseconds, time zones and arrays) and is streamed by the server without a cursor.
 */
public final class SourceCopy {
  private SourceCopy() {}

  /** What is done with each row: the bytes of one line of COPY text, with its line end. */
  public interface RowHandler {
    void row(byte[] row) throws SQLException;
  }

  /**
   * Streams the rows of {@code copySql} to {@code handler}, in snapshot {@code snapshot} (none when
   * null); the read transaction ends with the stream, committed or, on any failure, rolled back.
   * What fails on the source is thrown as a {@link SourceException}; what {@code handler} throws
   * passes through unchanged, so a caller can tell the two sides apart.
   */
  public static void stream(Connection source, String snapshot, String copySql, RowHandler handler)
      throws SQLException {
    CopyOut out = null;
    try {
      try {
        SourceSnapshot.begin(source, snapshot);
      } catch (SQLException | RuntimeException e) {
        throw new SourceException(e);
      }
      try {
        out = source.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql);
      } catch (SQLException e) {
        throw new SourceException(new FailedStatement(copySql, e));
      } catch (RuntimeException e) {
        throw new SourceException(e);
      }
      byte[] row;
      while ((row = next(out)) != null) {
        handler.row(row);
      }
      try {
        source.commit();
      } catch (SQLException | RuntimeException e) {
        throw new SourceException(e);
      }
    } catch (SQLException | RuntimeException e) {
      try {
        if (out != null && out.isActive()) {
          out.cancelCopy();
        }
        source.rollback();
      } catch (SQLException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** The next row, or null at the end; a try costs nothing per row. */
  private static byte[] next(CopyOut out) throws SourceException {
    try {
      return out.readFromCopy();
    } catch (SQLException | RuntimeException e) {
      throw new SourceException(e);
    }
  }
}
