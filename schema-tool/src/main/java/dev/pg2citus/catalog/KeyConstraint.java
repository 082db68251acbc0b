package dev.pg2citus.catalog;

import java.util.List;

/**
 * A PRIMARY KEY or UNIQUE constraint.
 *
 * @param name the constraint name
 * @param columns the key columns in order
 * @param definition {@code pg_get_constraintdef}, e.g. {@code UNIQUE NULLS NOT DISTINCT (code) DEFERRABLE}
 */
public record KeyConstraint(String name, List<String> columns, String definition) {
  public KeyConstraint {
    columns = List.copyOf(columns);
  }
}
