package dev.pg2citus.read;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the migrated tables of the source were written, between two moments: per table, the
 * server's count of rows inserted, updated and deleted ({@code pg_stat_get_tuples_*}: every
 * committed or rolled-back write, HOT updates too) and its file ({@code pg_relation_filenode}, which
 * {@code TRUNCATE} and table rewrites replace without counting rows). Tables of other databases, tables
 * not migrated, autovacuum, ANALYZE and reads move neither.
 *
 * <p>A difference can be no change of rows: a rolled-back write, {@code pg_stat_reset()}, the
 * counters lost in a crash of the source, {@code VACUUM FULL} or {@code CLUSTER}. The other way, a
 * session sends its counters to the server within a second of its commit (up to a minute when the
 * server is very busy), so a write committed just before they are read may not show yet: read them
 * a second after the snapshot ({@link #SETTLE_MILLIS}). With {@code track_counts} off the counters
 * never move, and nothing can be told ({@link #known()} is false).
 *
 * @param tables per table ({@code schema.name}), its count of writes and its file, as one text
 */
public record SourceChanges(Map<String, String> tables) {
  /** How long after a snapshot a session's counters of writes committed before it have reached the server. */
  public static final long SETTLE_MILLIS = 1_100;

  public SourceChanges {
    tables = tables == null ? null : Map.copyOf(tables);
  }

  /** Whether the counters tell anything ({@code track_counts} was on). */
  public boolean known() {
    return tables != null;
  }

  /**
   * The tables' counters now, on {@code source} (outside a transaction, so that the server's
   * current values are read, or as the first read of one).
   *
   * @param tables each table as the run record names it ({@code schema.name}) → quoted
   */
  public static SourceChanges read(Connection source, Map<String, String> tables) throws SQLException {
    try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SHOW track_counts")) {
      rs.next();
      if (!rs.getString(1).equals("on")) {
        return new SourceChanges(null);
      }
    }
    Map<String, String> counters = new LinkedHashMap<>();
    try (PreparedStatement ps = source.prepareStatement("SELECT t.name, pg_stat_get_tuples_inserted(t.oid)"
        + " + pg_stat_get_tuples_updated(t.oid) + pg_stat_get_tuples_deleted(t.oid) || ' writes, file '"
        + " || pg_relation_filenode(t.oid) FROM (SELECT n AS name, to_regclass(q) AS oid"
        + " FROM unnest(?::text[], ?::text[]) AS u(n, q)) t")) {
      ps.setArray(1, source.createArrayOf("text", tables.keySet().toArray()));
      ps.setArray(2, source.createArrayOf("text", tables.values().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counters.put(rs.getString(1), rs.getString(2) == null ? "gone" : rs.getString(2));
        }
      }
    }
    return new SourceChanges(counters);
  }

  /** The tables whose counters or file differ from {@code earlier}'s (a table only one side has included). */
  public List<String> changedSince(SourceChanges earlier) {
    List<String> changed = new ArrayList<>();
    tables.forEach((table, now) -> {
      if (!now.equals(earlier.tables.get(table))) {
        changed.add(table);
      }
    });
    earlier.tables.keySet().stream().filter(t -> !tables.containsKey(t)).forEach(changed::add);
    return changed;
  }
}
