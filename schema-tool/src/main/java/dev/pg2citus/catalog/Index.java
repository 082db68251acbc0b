package dev.pg2citus.catalog;

import java.util.List;

/**
 * An index that no constraint owns (constraint indexes come with their constraint).
 *
 * @param name the index name
 * @param unique whether it is a unique index
 * @param definition {@code pg_get_indexdef} read with {@code search_path = pg_catalog}, so every name
 *     in it is schema-qualified
 * @param keyColumns the plain key columns, or an empty list when a key is an expression
 */
public record Index(String name, boolean unique, String definition, List<String> keyColumns) {
  public Index {
    keyColumns = List.copyOf(keyColumns);
  }
}
