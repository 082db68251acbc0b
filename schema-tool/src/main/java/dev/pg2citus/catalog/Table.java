package dev.pg2citus.catalog;

import java.util.List;
import java.util.Optional;

/**
 * A source table with everything the target needs to rebuild it.
 *
 * @param partitionKey {@code pg_get_partkeydef} of a partitioned table (e.g. {@code RANGE (seen_at)}), or null
 * @param parent the partitioned table this one is a partition of, or null
 * @param partitionBound {@code FOR VALUES …} of a partition, or null
 * @param inherits the tables this one inherits from ({@code INHERITS}, not partitioning), in order
 * @param inheritedColumns the columns it has only from those parents (not declared on it as well)
 * @param primaryKey the primary key, or null
 * @param exclusionConstraints EXCLUDE constraints, carried over as the source defines them
 * @param estimatedRows {@code reltuples}, -1 when never analyzed
 */
public record Table(
    TableName name,
    boolean unlogged,
    String partitionKey,
    TableName parent,
    String partitionBound,
    List<TableName> inherits,
    List<String> inheritedColumns,
    List<Column> columns,
    KeyConstraint primaryKey,
    List<KeyConstraint> uniqueConstraints,
    List<KeyConstraint> exclusionConstraints,
    List<Index> indexes,
    List<ForeignKey> foreignKeys,
    List<CheckConstraint> checks,
    String comment,
    long estimatedRows) {

  public Table {
    inherits = List.copyOf(inherits);
    inheritedColumns = List.copyOf(inheritedColumns);
    columns = List.copyOf(columns);
    uniqueConstraints = List.copyOf(uniqueConstraints);
    exclusionConstraints = List.copyOf(exclusionConstraints);
    indexes = List.copyOf(indexes);
    foreignKeys = List.copyOf(foreignKeys);
    checks = List.copyOf(checks);
  }

  public boolean isPartitioned() {
    return partitionKey != null;
  }

  public boolean isPartition() {
    return parent != null;
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }

  /** The same table with other columns (cast rules produce it). */
  public Table withColumns(List<Column> newColumns) {
    return new Table(name, unlogged, partitionKey, parent, partitionBound, inherits, inheritedColumns, newColumns,
        primaryKey,
        uniqueConstraints, exclusionConstraints, indexes, foreignKeys, checks, comment, estimatedRows);
  }
}
