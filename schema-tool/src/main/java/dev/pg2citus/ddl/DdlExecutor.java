package dev.pg2citus.ddl;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.sql.ServerErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs schema statements, timing each and logging it at DEBUG ({@code --verbose}). A failed statement
 * is logged and counted, and the rest still run, so one run shows every problem at once.
 */
public final class DdlExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(DdlExecutor.class);

  private DdlExecutor() {}

  /**
   * How one statement went: its time, its error (null when it took effect), and the warnings it
   * raised for the report: those of pg2citus' own guarded statements (a role the target lacks).
   *
   * @param causedBy the subject of a statement it needs that failed first, when that is most
   *     likely why it failed too; else null
   * @param connectionLost whether it failed because its connection was lost ({@link ServerErrors#isConnectionLoss})
   */
  public record Outcome(long millis, String error, List<String> notes, boolean foundInEffect, String causedBy,
      boolean connectionLost) {
    public Outcome {
      notes = List.copyOf(notes);
    }

    Outcome(long millis, String error, List<String> notes, boolean foundInEffect) {
      this(millis, error, notes, foundInEffect, null, false);
    }

    Outcome(long millis, String error) {
      this(millis, error, List.of(), false);
    }

    /** A statement that failed, {@code e} why. */
    static Outcome failed(long millis, String error, List<String> notes, Exception e) {
      return new Outcome(millis, error, notes, false, null, ServerErrors.isConnectionLoss(e));
    }

    /** The same outcome, put down to {@code failed}, a statement it needs that failed first. */
    Outcome causedBy(String failed) {
      return new Outcome(millis, error, notes, foundInEffect, failed, connectionLost);
    }

    /** The report's note for {@code s}, one whose outcome is put down to an earlier failure. */
    String causedByNote(DdlStatement s) {
      String statement = s.step().label() + " " + s.subject();
      String own = error.startsWith(statement + ": ") ? error.substring(statement.length() + 2) : error;
      return "failed, since " + causedBy + " failed first: " + statement + " (" + own.lines().findFirst().orElse("")
          + ")";
    }
  }

  /** The note for {@code s} not issued, since the statement about {@code failed} that it needs failed. */
  static String notIssued(String failed, DdlStatement s) {
    return "not issued, since " + failed + " failed: " + s.step().label() + " " + s.subject();
  }

  /** What makes a statement's effect final: nothing in autocommit, or record it and commit. */
  interface Completion {
    Completion AUTOCOMMIT = () -> { };

    void complete() throws SQLException;
  }

  /** Runs {@code statements} one by one in autocommit ({@link #run(Connection, List, PhaseReport, Set)}). */
  public static void run(Connection connection, List<DdlStatement> statements, PhaseReport report)
      throws SQLException {
    run(connection, statements, report, new HashSet<>());
  }

  /**
   * Runs {@code statements} one by one in autocommit. A statement that needs one that failed, in
   * this run or in those {@code failed} holds already (an earlier phase's), is not issued: its error
   * would only repeat the first, so the report notes it once, with the cause. The subjects of the
   * statements that fail here are added to {@code failed}.
   */
  public static void run(Connection connection, List<DdlStatement> statements, PhaseReport report,
      Set<String> failed) throws SQLException {
    connection.setAutoCommit(true);
    prepare(connection);
    for (DdlStatement s : statements) {
      Optional<String> cause = s.needs().stream().filter(failed::contains).findFirst();
      if (cause.isPresent()) {
        if (s.step().creates()) {
          failed.add(s.subject());
        }
        report.note(notIssued(cause.get(), s));
        continue;
      }
      Outcome outcome = execute(connection, s, report.phase(), Completion.AUTOCOMMIT);
      report.record(s.step().label(), outcome.millis(), outcome.error());
      outcome.notes().forEach(report::note);
      if (outcome.error() != null && s.step().creates()) {
        failed.add(s.subject());
      }
    }
  }

  /** Session settings every schema statement relies on. */
  static void prepare(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
      // The generated literals (comments, defaults) do not escape backslashes.
      st.execute("SET standard_conforming_strings = on");
    }
  }

  /**
   * Runs one statement, then {@code completion}; in a transaction, a failure of either rolls both
   * back, so a statement is never half done. The time includes the completion (a commit).
   */
  static Outcome execute(Connection connection, DdlStatement s, String phase, Completion completion) {
    long start = System.nanoTime();
    String error = null;
    Exception cause = null;
    List<String> notes = new ArrayList<>();
    try (Statement st = connection.createStatement()) {
      if (s.probe() != null && inEffect(st, s.probe())) {
        completion.complete();
        LOG.debug("[{}] {} already on the target, not issued again: {}", phase, s.step().label(), s.subject());
        return new Outcome(0, null, List.of(), true);
      }
      st.execute(s.sql());
      for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
        String message = String.valueOf(w.getMessage());
        if (message.startsWith(GuardedStatement.WARNING_PREFIX)) {
          notes.add(message.substring(GuardedStatement.WARNING_PREFIX.length()));
        }
      }
      completion.complete();
    } catch (SQLException | RuntimeException e) {
      error = failure(s, e);
      cause = e;
      rollback(connection);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (error == null) {
      LOG.debug("[{}] {} ({} ms): {}", phase, s.step().label(), millis, s.sql());
    } else {
      LOG.error("[{}] {} failed after {} ms: {}\n  statement: {}", phase, s.step().label(), millis, error, s.sql());
    }
    notes.forEach(n -> LOG.debug("[{}] {}", phase, n)); // the phase's report counts them, grouped
    return cause == null ? new Outcome(millis, null, notes, false) : Outcome.failed(millis, error, notes, cause);
  }

  static boolean inEffect(Statement st, String probe) throws SQLException {
    try (ResultSet rs = st.executeQuery(probe)) {
      return rs.next();
    }
  }

  /** The error line of a failed statement: what it was about and the message, passwords redacted. */
  static String failure(DdlStatement s, Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return s.step().label() + " " + s.subject() + ": " + ConnectionSpec.redact(message);
  }

  private static void rollback(Connection connection) {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } catch (SQLException e) {
      LOG.debug("rollback failed (the connection is replaced): {}", e.getMessage());
    }
  }
}
