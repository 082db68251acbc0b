package dev.pg2citus.runrecord;

import dev.pg2citus.read.SourceChanges;
import dev.pg2citus.sql.Relations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of the source the run's partitions were planned in, in {@code pg2citus.source_state}: the
 * snapshot's id and when it was taken, and each migrated table's write counters just before it
 * ({@link SourceChanges}), so that a resume can tell whether the source changed since.
 *
 * @param snapshot the exported snapshot id, or null when the run read without one
 * @param takenAt when it was recorded, for messages
 * @param changes the counters (unknown when {@code track_counts} was off)
 */
public record SourceState(String snapshot, String takenAt, SourceChanges changes) {
  static final String TABLE = RunRecord.SCHEMA + ".source_state";
  static final String CREATE = "CREATE TABLE " + TABLE + " (snapshot text, taken_at timestamptz NOT NULL,"
      + " table_name text, writes text)";

  /** Replaces the recorded state with the snapshot's, in the caller's transaction. */
  public static void save(Connection target, String snapshot, SourceChanges changes) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute("DELETE FROM " + TABLE);
    }
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, clock_timestamp(), ?, ?)")) {
      Map<String, String> tables = changes.known() ? changes.tables() : new LinkedHashMap<>();
      if (!changes.known()) {
        tables.put(null, null); // one row, without counters: nothing can be told
      }
      for (Map.Entry<String, String> t : tables.entrySet()) {
        ps.setString(1, snapshot);
        ps.setString(2, t.getKey());
        ps.setString(3, t.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The recorded state, or null when the record has none (a pg2citus before it was kept, or no partition planned). */
  public static SourceState read(Connection target) throws SQLException {
    if (!Relations.exists(target, TABLE)) {
      return null;
    }
    List<String[]> rows = RunRecord.query(target, "SELECT snapshot, taken_at::text, table_name, writes FROM " + TABLE,
        rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
    if (rows.isEmpty()) {
      return null;
    }
    Map<String, String> tables = new LinkedHashMap<>();
    boolean known = true;
    for (String[] row : rows) {
      if (row[2] == null) {
        known = false;
      } else {
        tables.put(row[2], row[3]);
      }
    }
    return new SourceState(rows.get(0)[0], rows.get(0)[1], new SourceChanges(known ? tables : null));
  }
}
