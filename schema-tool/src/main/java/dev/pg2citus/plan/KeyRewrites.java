package dev.pg2citus.plan;

import dev.pg2citus.sql.Sql;

/**
 * How a key of a distributed table gains the distribution column, which Citus requires of every
 * primary key, unique constraint, unique index and exclusion constraint: the column in front of
 * its keys. One place, for the statements ({@code ddl/TargetSchema}) and for the plan's notes of
 * what each rewrite no longer enforces.
 */
public final class KeyRewrites {
  private KeyRewrites() {}

  /** A PRIMARY KEY or UNIQUE definition with {@code column} first among its columns. */
  public static String key(String definition, String column) {
    return insertAt(definition, definition.indexOf('(') + 1, Sql.ident(column) + ", ");
  }

  /**
   * An EXCLUDE definition ({@code EXCLUDE USING gist (room WITH =, during WITH &&)}) with {@code
   * column WITH =} first: Citus accepts an exclusion constraint that holds the distribution column
   * with the equality operator.
   */
  public static String exclusion(String definition, String column) {
    return insertAt(definition, definition.indexOf('(') + 1, Sql.ident(column) + " WITH =, ");
  }

  /** The index method of an EXCLUDE definition ({@code gist}). */
  public static String exclusionMethod(String definition) {
    String rest = definition.substring(definition.indexOf(" USING ") + " USING ".length());
    return rest.substring(0, rest.indexOf(' '));
  }

  public static String insertAt(String text, int at, String insert) {
    return text.substring(0, at) + insert + text.substring(at);
  }
}
