package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Rows written so far by partitions still open, in the unlogged {@code pg2citus.in_flight}:
 * written outside their transactions, on an autocommit connection, for the progress log only.
 */
public final class LiveProgress {
  static final String TABLE = RunRecord.SCHEMA + ".in_flight";
  static final String CREATE = "CREATE UNLOGGED TABLE " + TABLE + " (table_name text NOT NULL,"
      + " partition_no int NOT NULL, rows bigint NOT NULL, PRIMARY KEY (table_name, partition_no))";

  /** Progress of one table: rows written (done partitions, and open ones so far), estimate, partitions. */
  public record Table(String table, long rows, long estimatedRows, int donePartitions, int partitions) {}

  private final Connection target;

  LiveProgress(Connection target) {
    this.target = target;
  }

  /** Records how many rows the open partition {@code p} has written so far. */
  public void written(ReadPartition p, long rows) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE
        + " (table_name, partition_no, rows) VALUES (?, ?, ?)"
        + " ON CONFLICT (table_name, partition_no) DO UPDATE SET rows = EXCLUDED.rows")) {
      ps.setString(1, p.table());
      ps.setInt(2, p.number());
      ps.setLong(3, rows);
      ps.executeUpdate();
    }
  }

  /** Progress of every table with a partition still open. */
  public List<Table> tables() throws SQLException {
    return RunRecord.query(target, "SELECT p.table_name,"
            + " sum(CASE WHEN p.done THEN p.rows_written ELSE coalesce(f.rows, 0) END), sum(p.estimated_rows),"
            + " count(*) FILTER (WHERE p.done), count(*) FROM " + PartitionQueue.TABLE + " p"
            + " LEFT JOIN " + TABLE + " f USING (table_name, partition_no) GROUP BY 1"
            + " HAVING count(*) FILTER (WHERE NOT p.done) > 0 ORDER BY 1",
        rs -> new Table(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getInt(5)));
  }
}
