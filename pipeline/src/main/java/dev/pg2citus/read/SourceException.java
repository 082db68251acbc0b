package dev.pg2citus.read;

import java.sql.SQLException;

/**
 * The source failed while rows were read from it — not whoever the rows were handed to. Its
 * message and SQLSTATE are the cause's, so it reads as the server's error; its type says which
 * side failed, so a worker knows which connection it lost.
 */
public final class SourceException extends SQLException {
  private static final long serialVersionUID = 1L;

  public SourceException(Throwable cause) {
    super(cause.getMessage(), cause instanceof SQLException sql ? sql.getSQLState() : null, cause);
  }
}
