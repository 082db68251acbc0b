package dev.pg2citus.catalog;

import java.util.List;

/**
 * A foreign key of {@code table}, pointing at {@code referenced}.
 *
 * @param definition {@code pg_get_constraintdef} as the source has it; the target reuses it unless
 *     the distribution column must be added to both sides
 * @param options what follows the column lists: MATCH, ON UPDATE/DELETE actions, DEFERRABLE, NOT
 *     VALID, so a rewritten key keeps them
 */
public record ForeignKey(
    String name,
    TableName table,
    List<String> columns,
    TableName referenced,
    List<String> referencedColumns,
    String definition,
    String options) {
  public ForeignKey {
    columns = List.copyOf(columns);
    referencedColumns = List.copyOf(referencedColumns);
  }

  /** The referencing column that matches {@code referencedColumn}, or null when the key does not hold it. */
  public String columnReferencing(String referencedColumn) {
    int i = referencedColumns.indexOf(referencedColumn);
    return i < 0 ? null : columns.get(i);
  }

  /** {@code campaigns(company_id) → companies(id)}, for messages and plans. */
  public String describe() {
    return table.name() + "(" + String.join(", ", columns) + ") → "
        + referenced.name() + "(" + String.join(", ", referencedColumns) + ")";
  }
}
