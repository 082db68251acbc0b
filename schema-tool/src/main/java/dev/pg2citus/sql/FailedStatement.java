package dev.pg2citus.sql;

import java.sql.SQLException;

/**
 * A server error with the statement it answered: the message and SQLSTATE are the server's, so it
 * reads and classifies as the error itself; {@link #in} finds the statement again under whatever
 * wrapped it, for the message that stops a run (the server's own text does not show it).
 */
public final class FailedStatement extends SQLException {
  private static final long serialVersionUID = 1L;

  private final String statement;

  public FailedStatement(String statement, SQLException cause) {
    super(cause.getMessage(), cause.getSQLState(), cause);
    this.statement = statement;
  }

  public String statement() {
    return statement;
  }

  /** The statement of the first {@link FailedStatement} among {@code e}'s causes, or null. */
  public static String in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FailedStatement f) {
        return f.statement;
      }
    }
    return null;
  }
}
