package dev.pg2citus.config;

import dev.pg2citus.catalog.TableName;
import java.util.List;
import java.util.Map;

/**
 * The target names of migrated tables, as pgloader's {@code alter schema … rename to} and
 * {@code alter table names matching … rename to / set schema} give them.
 *
 * @param schemas source schema → target schema, exact names: every carried object of the schema moves
 * @param tables rules on source table names, applied in order; a later rule's action wins over an
 *     earlier one's for the same table
 */
public record Renames(Map<String, String> schemas, List<Rule> tables) {
  public static final Renames NONE = new Renames(Map.of(), List.of());

  /**
   * One table rule: the tables {@code match} selects (by their source names) get {@code renameTo}
   * as name and {@code setSchema} as schema; either may be null.
   */
  public record Rule(TableSelector match, String renameTo, String setSchema, ConfigLocation location) {}

  public Renames {
    schemas = Map.copyOf(schemas);
    tables = List.copyOf(tables);
  }

  public boolean isEmpty() {
    return schemas.isEmpty() && tables.isEmpty();
  }

  /** The schema objects of {@code schema} move to: the schema rename, or the schema itself. */
  public String schema(String schema) {
    return schemas.getOrDefault(schema, schema);
  }

  /** The name {@code table} has on the target once finalize has renamed it. */
  public TableName of(TableName table) {
    String schema = schema(table.schema());
    String name = table.name();
    for (Rule rule : tables) {
      if (rule.match().matches(table)) {
        name = rule.renameTo() != null ? rule.renameTo() : name;
        schema = rule.setSchema() != null ? rule.setSchema() : schema;
      }
    }
    return new TableName(schema, name);
  }
}
