package dev.pg2citus.plan;

/** The rules and the source schema do not give one clear distribution; the message says what to write. */
public final class PlanException extends RuntimeException {
  public PlanException(String message) {
    super(message);
  }
}
