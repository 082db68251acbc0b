package dev.pg2citus.cli;

import dev.pg2citus.config.ConnectionSpec;

/**
 * An error pg2citus has no remedy of its own for (a bug, a local file it could not write), told as
 * one line: what was being done, the cause's message, and what to do next; {@code --verbose} prints
 * the stack trace of the cause.
 */
final class Unexpected extends RuntimeException {
  /** What a user can always do. */
  static final String REPORT = "rerun with --verbose for the stack trace, and report it if the cause is not clear";

  /** @param line as {@link #line} says it, with the passwords of the run's configuration masked */
  Unexpected(String line, Throwable cause) {
    super(line, cause);
  }

  /**
   * The line: what was being done, the cause, what to do.
   *
   * @param doing what was being done ({@code migrate, in the data phase})
   * @param next what to do, before {@link #REPORT}; may be empty
   */
  static String line(String doing, Throwable cause, String next) {
    return doing + " stopped on an unexpected " + describe(cause) + "; " + (next.isEmpty() ? "" : next + "; ")
        + REPORT;
  }

  /** The exception's type and first line, and the innermost cause's when another: wrappers say little. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String told = firstLine(e);
    return root == e || told.contains(firstLine(root)) ? told : told + ", caused by " + firstLine(root);
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null || e.getMessage().isBlank() ? ""
        : ": " + e.getMessage().strip().lines().findFirst().orElse("");
    return e.getClass().getSimpleName() + ConnectionSpec.redact(message);
  }
}
