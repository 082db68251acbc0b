package dev.pg2citus.catalog;

import dev.pg2citus.sql.Sql;
import java.util.Comparator;

/** A schema-qualified relation name, as PostgreSQL stores it (no quotes, exact case). */
public record TableName(String schema, String name) implements Comparable<TableName> {
  private static final Comparator<TableName> ORDER =
      Comparator.comparing(TableName::schema).thenComparing(TableName::name);

  public TableName {
    if (schema == null || name == null) {
      throw new IllegalArgumentException("schema and name are required");
    }
  }

  /** {@code "schema"."name"}, safe to paste into SQL. */
  public String quoted() {
    return Sql.ident(schema) + "." + Sql.ident(name);
  }

  /**
   * {@code schema.name} for messages, reports and the plan, each part as {@link Sql#display} writes it:
   * bare where it can be, so it reads as the source spells it and pastes into SQL as it is.
   */
  @Override
  public String toString() {
    return Sql.display(schema) + "." + Sql.display(name);
  }

  @Override
  public int compareTo(TableName other) {
    return ORDER.compare(this, other);
  }
}
