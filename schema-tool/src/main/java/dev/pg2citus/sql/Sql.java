package dev.pg2citus.sql;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Quoting for SQL text that pg2citus generates. Every identifier goes through {@link #ident}, every
 * string constant through {@link #literal}, so names with capitals, spaces or quotes survive.
 */
public final class Sql {
  /** What quote_ident leaves bare: lower-case letters, digits and underscores, not starting with a digit. */
  private static final Pattern BARE = Pattern.compile("[a-z_][a-z0-9_]*");
  /**
   * The keywords quote_ident quotes: PostgreSQL's reserved, column-name and type-or-function ones
   * (kwlist.h, up to PostgreSQL 17; quoting one more than a given server would is still valid SQL).
   */
  private static final Set<String> KEYWORDS = Set.of(
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
      "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check",
      "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
      "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
      "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end",
      "except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full",
      "grant", "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int",
      "integer", "intersect", "interval", "into", "is", "isnull", "join", "json", "json_array",
      "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query", "json_scalar",
      "json_serialize", "json_table", "json_value", "lateral", "leading", "least", "left", "like", "limit",
      "localtime", "localtimestamp", "merge_action", "national", "natural", "nchar", "none", "normalize",
      "not", "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
      "overlaps", "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
      "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
      "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
      "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
      "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest",
      "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable");

  private Sql() {}

  /** A double-quoted identifier: {@code My "odd" name} becomes {@code "My ""odd"" name"}. */
  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * An identifier as a person reads it and SQL takes it: bare where PostgreSQL's {@code quote_ident}
   * leaves it bare, else double-quoted; a name holding control characters (a newline) is written
   * {@code U&"..."} with each such character escaped, so one name stays on one line.
   */
  public static String display(String name) {
    if (BARE.matcher(name).matches() && !KEYWORDS.contains(name)) {
      return name;
    }
    if (name.chars().noneMatch(Character::isISOControl)) {
      return ident(name);
    }
    StringBuilder out = new StringBuilder("U&\"");
    name.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        out.append(String.format("\\%04X", c));
      } else {
        out.append(c == '"' ? "\"\"" : c == '\\' ? "\\\\" : Character.toString(c));
      }
    });
    return out.append('"').toString();
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
