package dev.pg2citus.sql;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;

/**
 * What the server's errors mean for a user of pg2citus: the remedy to print beside the reason, and
 * whether an error says a connection was lost (to be waited out, not reported at once).
 */
public final class ServerErrors {
  /** Administrator shutdown, crash shutdown, cannot connect now (the server is starting or stopping). */
  private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");

  /** How Citus says, as an internal error (XX000), that a worker connection of the transaction was lost. */
  private static final String CITUS_LOST_WORKER = "failure on connection marked as essential";

  private ServerErrors() {}

  /**
   * Whether {@code e} says a connection was lost: SQLSTATE class 08 (connection exception), 57P01,
   * 57P02 or 57P03 (the server shut down or is not accepting connections), Citus' "failure on
   * connection marked as essential" (a worker lost mid-transaction), or an I/O error, anywhere in its causes.
   */
  public static boolean isConnectionLoss(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || SHUTDOWN_STATES.contains(sql.getSQLState()))) {
        return true;
      }
      if (t instanceof SQLException sql && "XX000".equals(sql.getSQLState()) && sql.getMessage() != null
          && sql.getMessage().contains(CITUS_LOST_WORKER)) {
        return true; // Citus: a worker's connection in the transaction was lost (the worker stopped)
      }
    }
    return false;
  }

  /**
   * What a user can do about an error of SQLSTATE {@code state}, for the message that stops a run:
   * a statement timeout, a lock timeout, a missing privilege, an exhausted resource (class 53: disk
   * full, a quota, memory, connections), a refused row (classes 22, 23); null for any other.
   *
   * @param database where it happened, as messages name it ({@code target db1:5432/app})
   */
  public static String remedy(String state, String database) {
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "57014" -> "the statement was canceled on the " + database + " (by pg_cancel_backend, or by a"
          + " statement_timeout pg2citus' sessions keep: one given in " + settingsOf(database) + ", or a Citus"
          + " worker's own): raise statement_timeout there, or find who canceled it";
      case "55P03" -> "another session holds a lock on the table longer than lock_timeout (one given in "
          + settingsOf(database) + ", or a Citus worker's own): find it in pg_locks on the " + database
          + " and let it finish or end it, or raise lock_timeout";
      case "42501" -> "grant the privilege named above to the user pg2citus connects to the " + database + " as";
      default -> state.startsWith("53") ? "the " + database + " is out of a resource (disk space, a quota,"
          + " memory, connections): free or raise it"
          : state.startsWith("22") || state.startsWith("23") ? "fix the row in the source or the cast rules, or"
              + " set load.on-error: reject to write such rows to the reject files"
              : null;
    };
  }

  /** Where the user gives the settings of a side's sessions. */
  private static String settingsOf(String database) {
    return database.startsWith("source") ? "source.properties: { options: … } or the URL" : "target.settings or the URL";
  }
}
