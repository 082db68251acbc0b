package dev.pg2citus.backfill;

import java.io.Serializable;
import java.util.List;

/**
 * One side input of the backfill: a map from the key of {@code table} (its referenced columns) to
 * the distribution value, read with key-only queries. When {@code next} is set, the values read
 * here are foreign keys into the next map, and are replaced by what that map gives: one hop of the
 * path, composed with the rest.
 *
 * @param id names the map; tables whose paths share a tail share the map
 * @param table the quoted table to read
 * @param partitioned whether it is a partitioned table (read with its partitions; others are read ONLY)
 * @param keyColumns the quoted columns that rows of the previous hop reference
 * @param valueColumns the quoted foreign-key columns to the next hop, or the value column at the end
 * @param next the id of the next hop's map, or null at the table that holds the value
 * @param estimatedKeys the planner's estimate of the table's rows, to size the map (0 when unknown)
 */
public record KeyMapSpec(String id, String table, boolean partitioned, List<String> keyColumns,
    List<String> valueColumns, String next, long estimatedKeys) implements Serializable {
  public KeyMapSpec {
    keyColumns = List.copyOf(keyColumns);
    valueColumns = List.copyOf(valueColumns);
  }

  /** The key-only query, as COPY text: key columns first, then value columns. */
  public String copySql() {
    return "COPY (SELECT " + String.join(", ", keyColumns) + ", " + String.join(", ", valueColumns)
        + " FROM " + (partitioned ? "" : "ONLY ") + table + ") TO STDOUT";
  }
}
