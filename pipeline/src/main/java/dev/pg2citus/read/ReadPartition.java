package dev.pg2citus.read;

import java.io.Serializable;

/**
 * One slice of one source table that a worker reads, writes and commits as a unit.
 *
 * @param table the leaf table, {@code schema.name} unquoted (the progress table's key)
 * @param number the partition's number within its table, stable across a resumed run
 * @param predicate the SQL condition that selects its rows ({@code true} for a whole table)
 * @param estimatedRows the planner's estimate, which orders the work queue (smallest first) and the progress log
 */
public record ReadPartition(String table, int number, String predicate, long estimatedRows)
    implements Serializable {

  @Override
  public String toString() {
    return table + " partition " + number;
  }
}
