package dev.pg2citus.cli;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** What a migration running in a child JVM has recorded on its target, for tests that kill it midway. */
final class RunRecord {
  private RunRecord() {}

  /** Partitions done and in all, or null before the run record exists. */
  static long[] partitions(String target) throws SQLException {
    if (TestPostgres.scalar(target, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('pg2citus.partitions')")
        == 0) {
      return null;
    }
    try (Connection c = TestPostgres.connect(target); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE done), count(*) FROM pg2citus.partitions")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }
}
