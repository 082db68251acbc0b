package dev.pg2citus.read;

import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Splits each table into read partitions, so large tables are read by many workers and a retried
 * or resumed partition is small. A table with a single-column integer primary key is cut into key
 * ranges, balanced by the column's histogram when the source has analyzed it and evenly between
 * its minimum and maximum otherwise; any other table into block (ctid) ranges, which PostgreSQL 14
 * and later read with TID range scans. The first and last range are open-ended, so rows outside
 * the bounds seen at planning time are still read.
 */
public final class PartitionPlanner {
  private static final Set<String> INTEGER_TYPES = Set.of("smallint", "integer", "bigint");

  private final Connection source;
  private final int partitionsPerTable;
  private final int splitThreshold;

  /**
   * @param source a connection inside the run's snapshot
   * @param partitionsPerTable a fixed count, or 0 to split every {@code splitThreshold} estimated rows
   */
  public PartitionPlanner(Connection source, int partitionsPerTable, int splitThreshold) {
    this.source = source;
    this.partitionsPerTable = partitionsPerTable;
    this.splitThreshold = splitThreshold;
  }

  /** Partitions of all {@code tables}, the largest first. */
  public List<ReadPartition> plan(List<Table> tables) throws SQLException {
    List<ReadPartition> all = new ArrayList<>();
    for (Table t : tables) {
      all.addAll(plan(t));
    }
    all.sort(Comparator.comparingLong(ReadPartition::estimatedRows).reversed());
    return all;
  }

  List<ReadPartition> plan(Table table) throws SQLException {
    Size size = size(table);
    long estimate = size.estimatedRows();
    int count = partitionsPerTable > 0 ? partitionsPerTable
        : (int) Math.max(1, Math.min(4096, (estimate + splitThreshold - 1) / splitThreshold));
    List<String> predicates = count == 1 ? List.of("true") : integerKey(table)
        .map(key -> keyRanges(table, key, count))
        .orElseGet(() -> blockRanges(size.blocks(), count));
    List<ReadPartition> result = new ArrayList<>();
    long each = Math.max(1, estimate / predicates.size());
    for (int i = 0; i < predicates.size(); i++) {
      result.add(new ReadPartition(table.name().toString(), i, predicates.get(i), each));
    }
    return result;
  }

  private record Size(long blocks, long estimatedRows) {}

  /** The table's blocks now, and rows estimated from reltuples scaled to them. */
  private Size size(Table table) throws SQLException {
    String sql = "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int, c.reltuples, c.relpages"
        + " FROM pg_class c WHERE c.oid = ?::regclass";
    try (PreparedStatement ps = source.prepareStatement(sql)) {
      ps.setString(1, table.name().quoted());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long blocks = rs.getLong(1);
        double tuples = rs.getDouble(2);
        long pages = rs.getLong(3);
        // Never analyzed (reltuples -1) or grown since: scale by blocks, ~60 rows a block when unknown.
        double perBlock = tuples > 0 && pages > 0 ? tuples / pages : 60;
        return new Size(blocks, Math.round(blocks * perBlock));
      }
    }
  }

  private Optional<String> integerKey(Table table) {
    if (table.primaryKey() == null || table.primaryKey().columns().size() != 1) {
      return Optional.empty();
    }
    String key = table.primaryKey().columns().get(0);
    return table.column(key).map(Column::type).filter(INTEGER_TYPES::contains).map(t -> key);
  }

  private List<String> keyRanges(Table table, String key, int count) {
    try {
      List<Long> bounds = histogramBounds(table, key, count);
      if (bounds.isEmpty()) {
        bounds = evenBounds(table, key, count);
      }
      if (bounds.isEmpty()) { // empty, or one key value: one partition
        return List.of("true");
      }
      List<String> predicates = new ArrayList<>();
      String column = Sql.ident(key);
      for (int i = 0; i <= bounds.size(); i++) {
        String lower = i == 0 ? null : column + " >= " + bounds.get(i - 1);
        String upper = i == bounds.size() ? null : column + " < " + bounds.get(i);
        predicates.add(lower == null ? upper : upper == null ? lower : lower + " AND " + upper);
      }
      return predicates;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot plan key ranges of " + table.name() + ": " + e.getMessage(), e);
    }
  }

  /** {@code count - 1} inner bounds from pg_stats' histogram, or none when the column has no histogram. */
  private List<Long> histogramBounds(Table table, String key, int count) throws SQLException {
    String sql = "SELECT histogram_bounds::text::bigint[] FROM pg_stats"
        + " WHERE schemaname = ? AND tablename = ? AND attname = ? AND NOT inherited";
    try (PreparedStatement ps = source.prepareStatement(sql)) {
      ps.setString(1, table.name().schema());
      ps.setString(2, table.name().name());
      ps.setString(3, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getArray(1) == null) {
          return List.of();
        }
        Array array = rs.getArray(1);
        Long[] histogram = (Long[]) array.getArray();
        List<Long> bounds = new ArrayList<>();
        for (int i = 1; i < count; i++) {
          long bound = histogram[(int) ((long) i * (histogram.length - 1) / count)];
          if (bounds.isEmpty() || bound > bounds.get(bounds.size() - 1)) {
            bounds.add(bound);
          }
        }
        return bounds;
      }
    }
  }

  private List<Long> evenBounds(Table table, String key, int count) throws SQLException {
    String column = Sql.ident(key);
    try (PreparedStatement ps = source.prepareStatement(
        "SELECT min(" + column + "), max(" + column + ") FROM ONLY " + table.name().quoted())) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long min = rs.getLong(1);
        if (rs.wasNull()) {
          return List.of();
        }
        long max = rs.getLong(2);
        List<Long> bounds = new ArrayList<>();
        double width = ((double) max - min + 1) / count;
        for (int i = 1; i < count; i++) {
          long bound = min + (long) Math.ceil(i * width);
          if (bound <= max && (bounds.isEmpty() || bound > bounds.get(bounds.size() - 1))) {
            bounds.add(bound);
          }
        }
        return bounds;
      }
    }
  }

  private static List<String> blockRanges(long blocks, int count) {
    long width = Math.max(1, (blocks + count - 1) / count);
    List<String> predicates = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String lower = i == 0 ? null : "ctid >= '(" + (i * width) + ",0)'::tid";
      String upper = i == count - 1 ? null : "ctid < '(" + ((i + 1) * width) + ",0)'::tid";
      predicates.add(lower == null ? upper : upper == null ? lower : lower + " AND " + upper);
      if (upper != null && (i + 1) * width >= blocks) {
        predicates.set(predicates.size() - 1, lower == null ? "true" : lower);
        break;
      }
    }
    return predicates;
  }
}
