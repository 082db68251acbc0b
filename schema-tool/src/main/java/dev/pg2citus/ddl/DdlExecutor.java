package dev.pg2citus.ddl;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs schema statements one by one in autocommit, logging and timing each. A failed statement is
 * logged and counted, and the rest still run, so one run shows every problem at once.
 */
public final class DdlExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(DdlExecutor.class);

  private DdlExecutor() {}

  public static void run(Connection connection, List<DdlStatement> statements, PhaseReport report)
      throws SQLException {
    connection.setAutoCommit(true);
    try (Statement st = connection.createStatement()) {
      // The generated literals (comments, defaults) do not escape backslashes.
      st.execute("SET standard_conforming_strings = on");
    }
    for (DdlStatement s : statements) {
      long start = System.nanoTime();
      String error = null;
      try (Statement st = connection.createStatement()) {
        st.execute(s.sql());
      } catch (SQLException e) {
        error = s.step().label() + " " + s.subject() + ": " + ConnectionSpec.redact(e.getMessage());
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (error == null) {
        LOG.info("[{}] {} ({} ms): {}", report.phase(), s.step().label(), millis, s.sql());
      } else {
        LOG.error("[{}] {} failed after {} ms: {}\n  statement: {}", report.phase(), s.step().label(), millis,
            error, s.sql());
      }
      report.record(s.step().label(), millis, error);
    }
  }
}
