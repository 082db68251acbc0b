package dev.pg2citus.config;

import dev.pg2citus.catalog.TableName;
import java.util.regex.Pattern;

/**
 * Matches tables by schema and name, each exact or by regular expression; a missing part matches
 * anything.
 */
public record TableSelector(String schema, Pattern schemaPattern, String name, Pattern namePattern,
    ConfigLocation location) {

  public boolean matches(TableName table) {
    return (schema == null || schema.equals(table.schema()))
        && (schemaPattern == null || schemaPattern.matcher(table.schema()).find())
        && (name == null || name.equals(table.name()))
        && (namePattern == null || namePattern.matcher(table.name()).find());
  }
}
