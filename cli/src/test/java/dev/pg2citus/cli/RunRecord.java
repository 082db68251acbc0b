package dev.pg2citus.cli;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/** What a migration running in a child JVM has recorded on its target, for tests that kill it midway. */
final class RunRecord {
  private RunRecord() {}

  /** Partitions done and in all, or null before the run record exists. */
  static long[] partitions(String target) throws SQLException {
    if (!exists(target, "pg2citus.partitions")) {
      return null;
    }
    try (Connection c = TestPostgres.connect(target); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE done), count(*) FROM pg2citus.partitions")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /** The steps the run recorded as done ({@code CREATED}, {@code LOADED}, …), empty before the record exists. */
  static Set<String> steps(String target) throws SQLException {
    if (!exists(target, "pg2citus.steps")) {
      return Set.of();
    }
    try (Connection c = TestPostgres.connect(target)) {
      return Set.copyOf(TestPostgres.rows(c, "SELECT step FROM pg2citus.steps WHERE done_at IS NOT NULL"));
    }
  }

  /** How many post-data statements the run recorded as done, 0 before the record exists. */
  static long postDataDone(String target) throws SQLException {
    return exists(target, "pg2citus.post_data") ? TestPostgres.scalar(target, "SELECT count(*) FROM pg2citus.post_data")
        : 0;
  }

  private static boolean exists(String target, String table) throws SQLException {
    return TestPostgres.scalar(target, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + table + "')") > 0;
  }
}
