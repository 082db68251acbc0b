package dev.pg2citus.ddl;

import java.util.Set;

/**
 * One SQL statement of a schema phase.
 *
 * @param step what kind of statement it is
 * @param subject what it is about ({@code public.ads}), for the log and errors
 * @param sql the statement
 * @param probe a query that returns a row when the statement's effect is on the target already (a
 *     constraint or index of that name), so that a second finalize or a resume skips it; null when
 *     the statement can simply be issued again
 * @param needs the subjects of earlier statements it needs (a view's comment needs the view): when
 *     one of them failed, this one is not issued, and the report says why instead of a second error
 */
public record DdlStatement(Step step, String subject, String sql, String probe, Set<String> needs) {
  public DdlStatement {
    needs = Set.copyOf(needs);
  }

  public DdlStatement(Step step, String subject, String sql, String probe) {
    this(step, subject, sql, probe, Set.of());
  }

  /** A statement that can be issued again as it is. */
  public DdlStatement(Step step, String subject, String sql) {
    this(step, subject, sql, null, Set.of());
  }

  /** The same statement, needing the statements about {@code subjects} too. */
  public DdlStatement needing(Set<String> subjects) {
    return new DdlStatement(step, subject, sql, probe, subjects);
  }
}
