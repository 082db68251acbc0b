package dev.pg2citus.catalog;

import dev.pg2citus.sql.Sql;
import java.util.List;
import java.util.stream.Collectors;

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
    return Sql.display(table.name()) + "(" + displayed(columns) + ") → "
        + Sql.display(referenced.name()) + "(" + displayed(referencedColumns) + ")";
  }

  private static String displayed(List<String> names) {
    return names.stream().map(Sql::display).collect(Collectors.joining(", "));
  }
}
