package dev.pg2citus.plan;

import dev.pg2citus.catalog.TableName;

/**
 * Where one table goes on Citus.
 *
 * @param table the table
 * @param kind distributed, reference or local (left on the coordinator as it is)
 * @param column the distribution column (distributed only)
 * @param columnType its type, the same across a colocation group (distributed only)
 * @param backfill how an added column is filled, or null when the table has the column
 * @param colocationRoot the table this one is colocated with (itself for a root; distributed only)
 * @param partitionOf the partitioned table this partition follows, or null
 * @param reason why: the rule, or the foreign key discovery followed
 */
public record Placement(
    TableName table,
    Kind kind,
    String column,
    String columnType,
    Backfill backfill,
    TableName colocationRoot,
    TableName partitionOf,
    String reason) {

  public enum Kind { DISTRIBUTED, REFERENCE, LOCAL }

  public boolean isDistributed() {
    return kind == Kind.DISTRIBUTED;
  }

  /** Whether the distribution column is added to the table (and backfilled). */
  public boolean addsColumn() {
    return backfill != null;
  }

  Placement withRoot(TableName root) {
    return new Placement(table, kind, column, columnType, backfill, root, partitionOf, reason);
  }

  Placement asPartitionOf(TableName partition, TableName parent) {
    return new Placement(partition, kind, column, columnType, backfill, colocationRoot, parent,
        "partition of " + parent);
  }
}
