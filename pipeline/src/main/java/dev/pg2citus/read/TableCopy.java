package dev.pg2citus.read;

import java.io.Serializable;
import java.util.List;

/**
 * How the rows of one leaf table travel: which columns are read, where they go, and, for a table
 * whose distribution column is added, how its value is found.
 *
 * @param table {@code schema.name} unquoted, as progress and rejects name it
 * @param quotedTable the source table, quoted
 * @param quotedTarget the table the rows are written into, quoted: the same name, unless a run that
 *     creates no tables finds the table under the name a rename rule gives it
 * @param name the target table's own name, unquoted, as the server's messages give it
 * @param sourceColumns the quoted columns read (generated columns are left out: the target computes them)
 * @param readColumns what the source query selects for each of them: the column, or a cast rule's
 *     {@code using} expression on it
 * @param targetColumns the quoted columns written: the added distribution column first, then the source's
 * @param backfill how to find the added column's value, or null
 */
public record TableCopy(String table, String quotedTable, String quotedTarget, String name, List<String> sourceColumns,
    List<String> readColumns,
    List<String> targetColumns, Backfill backfill) implements Serializable {

  /**
   * The added column's value: the row's foreign-key fields, looked up in side input {@code mapId}.
   *
   * @param keyFields positions of the foreign-key columns among the source columns
   * @param mapId the side input to look them up in
   * @param path the foreign-key path, for reject reasons
   * @param estimatedKeys the planner's estimate of the largest table along the path (0 when unknown)
   */
  public record Backfill(int[] keyFields, String mapId, String path, long estimatedKeys)
      implements Serializable {}

  public TableCopy {
    sourceColumns = List.copyOf(sourceColumns);
    readColumns = List.copyOf(readColumns);
    targetColumns = List.copyOf(targetColumns);
  }

  /** The source query of one partition, as COPY text. */
  public String copyOutSql(String predicate) {
    return "COPY (SELECT " + String.join(", ", readColumns) + " FROM ONLY " + quotedTable + " WHERE " + predicate
        + ") TO STDOUT";
  }

  public String copyInSql() {
    return copyInSql(quotedTarget);
  }

  /**
   * The COPY that writes the rows into {@code quotedInto}, a table with the same columns. A table
   * with no column to write (only generated columns, or none at all) takes COPY's default list,
   * which leaves generated columns out: each row is an empty line, and its count is kept.
   */
  public String copyInSql(String quotedInto) {
    return "COPY " + quotedInto + (targetColumns.isEmpty() ? "" : " (" + String.join(", ", targetColumns) + ")")
        + " FROM STDIN";
  }
}
