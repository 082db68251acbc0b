package dev.pg2citus.cli;

/** Exit codes, so scripts can tell bad input from failed statements from unreachable servers. */
public final class ExitCodes {
  public static final int OK = 0;
  /** Some statement of a phase failed; the summary lists them. */
  public static final int PHASE_ERRORS = 1;
  /** The configuration or the rules are wrong; nothing was written. */
  public static final int BAD_INPUT = 2;
  /** A database could not be reached or failed outside a statement. */
  public static final int DATABASE_ERROR = 3;
  /**
   * The migration completed and every source row is accounted for, but some are in the reject files
   * instead of the target ({@code load.on-error: reject}, {@code load.on-orphan: reject}).
   */
  public static final int ROWS_REJECTED = 4;
  /**
   * An error pg2citus has no remedy for (a bug, a local file it could not write): one line says what
   * was being done, the cause, and whether {@code migrate --resume} continues; {@code --verbose} adds the
   * stack trace.
   */
  public static final int UNEXPECTED = 5;

  private ExitCodes() {}
}
