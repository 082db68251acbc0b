package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.EncodingRule;
import dev.pg2citus.config.NameRef;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies {@code load.encodings}: a SQL_ASCII source's text columns in a named encoding are read
 * converted to UTF-8, before planning. The source does it: its COPY escapes each byte of a column it
 * has not converted, which would split a multi-byte character of SJIS or BIG5.
 */
public final class SourceEncodings {
  /** The types whose values are text in the database's encoding. */
  private static final Set<String> TEXT_TYPES = Set.of("text", "character varying", "character");

  private SourceEncodings() {}

  /** The catalog with each named column read converted; {@code serverEncoding} is the source database's. */
  public static Catalog apply(Catalog catalog, List<EncodingRule> rules, String serverEncoding) {
    if (rules.isEmpty()) {
      return catalog;
    }
    if (!serverEncoding.equals("SQL_ASCII")) {
      throw new ConfigException(rules.get(0).location(), "load.encodings: the source database's encoding is "
          + serverEncoding + ", so PostgreSQL converts its text to UTF-8 itself; name an encoding only for a"
          + " SQL_ASCII source, whose bytes carry none (or remove load.encodings)");
    }
    for (EncodingRule rule : rules) {
      boolean found = catalog.tables().stream().anyMatch(t -> rule.table() != null ? isTable(rule.table(), t)
          : t.columns().stream().anyMatch(c -> isColumn(rule.column(), t, c)));
      if (!found) {
        throw new ConfigException(rule.location(), "load.encodings: " + (rule.table() != null ? "table "
            + rule.table() : "column " + rule.column()) + " does not exist in the source (or the table filters"
            + " leave its table out)");
      }
    }
    List<Table> tables = new ArrayList<>();
    for (Table table : catalog.tables()) {
      List<Column> columns = new ArrayList<>();
      for (Column column : table.columns()) {
        EncodingRule rule = rules.stream().filter(r -> r.column() != null && isColumn(r.column(), table, column))
            .findFirst().orElse(null);
        boolean named = rule != null;
        if (rule == null) {
          rule = rules.stream().filter(r -> r.table() != null && isTable(r.table(), table)).findFirst().orElse(null);
        }
        columns.add(rule == null ? column : converted(table, column, rule, named));
      }
      tables.add(table.withColumns(columns));
    }
    return catalog.withTables(tables);
  }

  /**
   * The column read converted: its bytes as they are ({@code convert_to} SQL_ASCII), converted from the
   * rule's encoding to UTF-8, then taken as text (in a SQL_ASCII database, the same bytes). A table's
   * rule leaves its keys and columns of other types alone; a column's must name a text column, not a key.
   */
  private static Column converted(Table table, Column column, EncodingRule rule, boolean named) {
    boolean text = TEXT_TYPES.contains(column.baseType()) && !column.isGenerated();
    boolean key = CastRules.keyColumns(table).contains(column.name());
    if (named && (!text || key)) {
      throw new ConfigException(rule.location(), "load.encodings: " + table.name() + "." + column.name() + " is "
          + (key ? "part of a key, whose values the backfill and the foreign keys match as they are" : "of type "
          + column.type() + "; an encoding applies to text, varchar and char columns") + ": name other columns");
    }
    if (!text || key) {
      return column;
    }
    String read = column.readAs() != null ? column.readAs() : Sql.ident(column.name());
    return column.withReadAs("convert_from(convert(convert_to(" + read + ", 'SQL_ASCII'), "
        + Sql.literal(rule.encoding()) + ", 'UTF8'), 'UTF8')");
  }

  private static boolean isTable(NameRef ref, Table table) {
    List<String> p = ref.parts();
    return p.get(p.size() - 1).equals(table.name().name()) && (p.size() < 2 || p.get(0).equals(table.name().schema()));
  }

  private static boolean isColumn(NameRef ref, Table table, Column column) {
    List<String> p = ref.parts();
    return p.get(p.size() - 1).equals(column.name()) && isTable(new NameRef(p.subList(0, p.size() - 1)), table);
  }
}
