package dev.pg2citus.ddl;

/**
 * One SQL statement of a schema phase.
 *
 * @param step what kind of statement it is
 * @param subject what it is about ({@code public.ads}), for the log and errors
 * @param sql the statement
 * @param probe a query that returns a row when the statement's effect is on the target already (a
 *     constraint or index of that name), so that a second finalize or a resume skips it; null when
 *     the statement can simply be issued again
 */
public record DdlStatement(Step step, String subject, String sql, String probe) {
  /** A statement that can be issued again as it is. */
  public DdlStatement(Step step, String subject, String sql) {
    this(step, subject, sql, null);
  }
}
