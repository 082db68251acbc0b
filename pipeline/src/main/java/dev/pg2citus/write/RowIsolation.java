package dev.pg2citus.write;

import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * Finds the rows of a batch the server refused, by writing them again on one connection, each
 * attempt under a savepoint: where the server names the line it refused (its own parser's errors:
 * types, lengths, encodings; checks on plain PostgreSQL) the rows before it go in as one COPY and
 * that row is refused, two statements a bad row; otherwise (a constraint a Citus worker checks, a
 * key checked at the end of the statement) the range is halved until each bad row stands alone,
 * and a half known to fail is split without being tried whole: about twice the log of the batch's
 * rows a bad row. Only row errors ({@link #isRowError}) are isolated; any other failure is thrown.
 *
 * <p>Refused statements are what cost on Citus: each rolls the savepoint back on every shard
 * connection of the transaction, tens of milliseconds. So a failed batch is first screened on a
 * temporary copy of the table in a throwaway transaction of another connection ({@link #screen}),
 * where a refused statement costs a fraction of a millisecond, and only what that cannot tell
 * (keys, foreign keys) is isolated in the partition's transaction.
 */
final class RowIsolation {
  private static final int CHUNK = 64 * 1024;
  /** The context PostgreSQL gives an error in a COPY's rows: the relation, unquoted, and the line. */
  private static final Pattern COPY_LINE = Pattern.compile("COPY (.+?), line (\\d+)");
  /** A quoted shard name in a message: the table's or constraint's name and {@code _<shard id>}. */
  private static final Pattern SHARD_NAME = Pattern.compile("\"[^\"]*_\\d+\"");

  /** What is told of each refused row: its index in the batch, and the server's error. */
  interface Refused {
    void row(int index, SQLException reason);
  }

  private final Connection connection;
  private final CopyManager copy;
  private final String copySql;
  private final String relation;
  private final KeptBatch kept;
  private final ReadPartition partition;
  private final Refused refused;
  private long written;
  private long copies;

  /**
   * @param copySql the COPY that writes the rows
   * @param relation the table it writes, unquoted, as the server names it in {@code COPY items, line 7}
   */
  RowIsolation(Connection connection, String copySql, String relation, KeptBatch kept, ReadPartition partition,
      Refused refused) throws SQLException {
    this.connection = connection;
    this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
    this.copySql = copySql;
    this.relation = relation;
    this.kept = kept;
    this.partition = partition;
    this.refused = refused;
  }

  /**
   * Marks the rows of {@code kept} that fail alone — types, lengths, NOT NULL, checks, generated
   * columns — on a temporary copy of {@code table} ({@code LIKE} it, with its defaults, generated
   * columns and checks, without indexes) in a transaction of {@code probe} that is rolled back;
   * their reasons go in {@code reasons}. Null when the probe cannot be used (no TEMP privilege, a
   * server without {@code INCLUDING GENERATED}): the partition's transaction then isolates them all.
   */
  static boolean[] screen(Connection probe, TableCopy table, KeptBatch kept, ReadPartition partition,
      String[] reasons) {
    boolean[] refused = new boolean[kept.size()];
    try {
      boolean autoCommit = probe.getAutoCommit();
      probe.setAutoCommit(false);
      try (Statement st = probe.createStatement()) {
        st.execute("CREATE TEMP TABLE " + Sql.ident(table.name()) + " (LIKE " + table.quotedTarget()
            + " INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS) ON COMMIT DROP");
        new RowIsolation(probe, table.copyInSql("pg_temp." + Sql.ident(table.name())), table.name(), kept,
            partition, (i, e) -> {
              refused[i] = true;
              reasons[i] = e.getMessage();
            }).retry(0, kept.size());
      } finally {
        probe.rollback();
        probe.setAutoCommit(autoCommit);
      }
      return refused;
    } catch (SQLException e) {
      return null;
    }
  }

  /** Rows written by the COPY statements that went in. */
  long written() {
    return written;
  }

  /** COPY statements written, so far. */
  long copies() {
    return copies;
  }

  /**
   * Writes the good rows of {@code [from, to)}, which failed as one COPY, and tells {@code refused}
   * of the bad ones.
   *
   * @param failure why {@code [from, to)} failed as one COPY; null when it was not tried as one but
   *     must fail (the first half of a failed range went in)
   */
  void isolate(int from, int to, SQLException failure) throws SQLException {
    SQLException e = failure;
    while (from < to) {
      if (e == null && to - from == 1) {
        e = copy(from, to); // a lone row's own reason
        if (e == null) {
          return;
        }
      }
      if (to - from == 1) {
        refused.row(from, e);
        return;
      }
      int line = e == null ? 0 : refusedLine(e, to - from);
      if (line > 0) {
        int bad = from + line - 1;
        retry(from, bad); // the rows the server read before it
        refused.row(bad, e);
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

  /** Writes rows {@code [from, to)} as one COPY, isolating bad rows when it fails. */
  void retry(int from, int to) throws SQLException {
    if (from < to) {
      SQLException e = copy(from, to);
      if (e != null) {
        isolate(from, to, e);
      }
    }
  }

  /** Ends a failed COPY still open on its connection, so the transaction can go on or roll back. */
  static void cancel(CopyIn in, SQLException failure) {
    if (in != null && in.isActive()) {
      try {
        in.cancelCopy();
      } catch (SQLException cancel) {
        failure.addSuppressed(cancel);
      }
    }
  }

  /**
   * Whether the failure is about the rows (data exceptions, class 22; constraint violations, 23), so
   * isolating the bad ones makes sense. Anything else (a lost connection, a lock timeout, missing
   * privileges) would fail every row alike: it stops the partition, to be redone on resume. Citus
   * passes a worker's COPY error on without its SQLSTATE (as XX000); a row's error there names the
   * shard's relation or constraint ({@code "items_102008"}, {@code "items_pkey_102039"}).
   */
  static boolean isRowError(SQLException e) {
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

  /**
   * COPYs rows {@code [from, to)} under a savepoint: null when they went in, else the row error that
   * refused them (rolled back to the savepoint). The rows go out in chunks, so a refusal stops the
   * sending soon after the bad row rather than at the end of the range.
   */
  private SQLException copy(int from, int to) throws SQLException {
    copies++;
    Savepoint sp = connection.setSavepoint();
    CopyIn in = copy.copyIn(copySql);
    try {
      int end = kept.start(to);
      for (int at = kept.start(from); at < end; at += CHUNK) {
        in.writeToCopy(kept.bytes(), at, Math.min(CHUNK, end - at));
      }
      written += in.endCopy();
      connection.releaseSavepoint(sp);
      return null;
    } catch (SQLException e) {
      cancel(in, e);
      connection.rollback(sp);
      if (!isRowError(e)) {
        throw new SQLException(partition + ": " + e.getMessage(), e.getSQLState(), e);
      }
      return e;
    }
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
    if (!m.lookingAt() || !relation.equals(m.group(1))) {
      return 0;
    }
    long line = Long.parseLong(m.group(2));
    return line >= 1 && line <= rows ? (int) line : 0;
  }
}
