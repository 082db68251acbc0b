package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Every partition a worker copied again after a lost connection, in {@code pg2citus.retries}:
 * which, the how-manyth time, the connection lost and why; written outside the partition's
 * transaction, so a retry is on record even when the partition never commits.
 */
public final class Retries {
  static final String TABLE = RunRecord.SCHEMA + ".retries";
  static final String CREATE = "CREATE TABLE " + TABLE + " (table_name text NOT NULL, partition_no int NOT NULL,"
      + " retry int NOT NULL, lost text NOT NULL, reason text NOT NULL, at timestamptz NOT NULL)";

  private final Connection target;

  Retries(Connection target) {
    this.target = target;
  }

  /**
   * Records that a worker copies {@code p} again, for the {@code retry}th time, after losing the
   * connection to {@code lost} ({@code target host:port/db}) for {@code reason}; on an autocommit
   * connection.
   */
  public void add(ReadPartition p, int retry, String lost, String reason) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE
        + " (table_name, partition_no, retry, lost, reason, at) VALUES (?, ?, ?, ?, ?, clock_timestamp())")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      ps.setInt(3, retry);
      ps.setString(4, lost);
      ps.setString(5, reason);
      ps.executeUpdate();
    }
  }

  /**
   * One line per partition that was copied again after a lost connection: how often, and the
   * last connection lost and why. Empty for a record without retries.
   */
  public List<String> describe() throws SQLException {
    return RunRecord.query(target,
        "SELECT DISTINCT ON (table_name, partition_no) table_name, partition_no, count(*) OVER w, lost, reason"
            + " FROM " + TABLE + " WINDOW w AS (PARTITION BY table_name, partition_no)"
            + " ORDER BY table_name, partition_no, at DESC", rs -> {
              long n = rs.getLong(3);
              return rs.getString(1) + " partition " + rs.getInt(2) + ": copied again " + n
                  + (n == 1 ? " time" : " times") + " after the connection to the " + rs.getString(4)
                  + " was lost (" + rs.getString(5) + ")";
            });
  }
}
