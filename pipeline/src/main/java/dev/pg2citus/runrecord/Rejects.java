package dev.pg2citus.runrecord;

import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.write.RejectedRow;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Every rejected row with its reason, in {@code pg2citus.rejects}: recorded in the partition's
 * transaction, so a partition copied again records its rejects once; the reject files are written
 * from here at the end of the data phase.
 */
public final class Rejects {
  static final String TABLE = RunRecord.SCHEMA + ".rejects";
  static final String CREATE = "CREATE TABLE " + TABLE + " (table_name text NOT NULL, partition_no int NOT NULL,"
      + " row_text text NOT NULL, reason text NOT NULL)";

  /** What is done with each rejected row. */
  public interface Reader {
    void row(String row, String reason) throws IOException;
  }

  private final Connection target;

  Rejects(Connection target) {
    this.target = target;
  }

  /** Records the rejected rows of partition {@code p}, in the caller's transaction. */
  public void add(ReadPartition p, List<RejectedRow> rows) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "INSERT INTO " + TABLE + " (table_name, partition_no, row_text, reason) VALUES (?, ?, ?, ?)")) {
      for (RejectedRow r : rows) {
        ps.setString(1, p.table());
        ps.setInt(2, p.number());
        ps.setString(3, r.row());
        ps.setString(4, r.reason());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The tables that have rejected rows. */
  public List<String> tables() throws SQLException {
    return RunRecord.query(target, "SELECT DISTINCT table_name FROM " + TABLE + " ORDER BY 1", rs -> rs.getString(1));
  }

  /**
   * Streams the rejected rows of one table to {@code reader} through a cursor, so a table with
   * millions of rejects does not fill the launcher's memory; returns how many there were.
   */
  public long read(String table, Reader reader) throws SQLException, IOException {
    boolean autoCommit = target.getAutoCommit();
    target.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
    long n = 0;
    try (PreparedStatement ps = target.prepareStatement("SELECT row_text, reason FROM " + TABLE
        + " WHERE table_name = ? ORDER BY partition_no")) {
      ps.setFetchSize(1000);
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.row(rs.getString(1), rs.getString(2));
          n++;
        }
      }
    } finally {
      target.commit();
      target.setAutoCommit(autoCommit);
    }
    return n;
  }
}
