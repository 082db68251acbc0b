package dev.pg2citus.catalog;

/**
 * A user-defined collation that a selected column uses.
 *
 * @param options what goes in the parentheses of CREATE COLLATION: provider, locale, determinism
 */
public record Collation(TableName name, String options) {}
