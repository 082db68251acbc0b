package dev.pg2citus.sql;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Quoting for SQL text that pg2citus generates. Every identifier goes through {@link #ident}, every
 * string constant through {@link #literal}, so names with capitals, spaces or quotes survive.
 */
public final class Sql {
  private Sql() {}

  /** A double-quoted identifier: {@code My "odd" name} becomes {@code "My ""odd"" name"}. */
  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A comma-separated list of quoted identifiers. */
  public static String idents(List<String> names) {
    return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
  }

  /** A single-quoted string constant; backslashes are not special (standard_conforming_strings). */
  public static String literal(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }
}
