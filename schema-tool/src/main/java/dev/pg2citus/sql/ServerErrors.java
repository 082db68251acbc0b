package dev.pg2citus.sql;

/** What the server's errors mean for a user of pg2citus: the remedy to print beside the reason. */
public final class ServerErrors {
  private ServerErrors() {}

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
