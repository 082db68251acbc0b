package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.config.CastRule;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.NameRef;
import java.util.ArrayList;
import dev.pg2citus.sql.Sql;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Applies cast rules to the catalog, before planning, so the planner and the target schema see the
 * target types. A column rule wins over a type rule; among type rules the first that matches wins.
 */
public final class CastRules {
  private CastRules() {}

  /**
   * Returns the catalog with cast columns.
   *
   * @param canonicalType spells a type name as the source does ({@code int4} → {@code integer}),
   *     null for an unknown type
   */
  public static Catalog apply(Catalog catalog, List<CastRule> rules, UnaryOperator<String> canonicalType) {
    if (rules.isEmpty()) {
      return catalog;
    }
    Map<CastRule, String> typeOf = new HashMap<>();
    for (CastRule rule : rules) {
      if (rule.sourceType() != null) {
        String canonical = canonicalType.apply(rule.sourceType());
        if (canonical == null) {
          throw new ConfigException(rule.location(), "type '" + rule.sourceType() + "' does not exist in the source");
        }
        typeOf.put(rule, canonical);
      } else {
        checkColumnExists(catalog, rule);
      }
    }
    List<Table> tables = new ArrayList<>();
    for (Table table : catalog.tables()) {
      List<Column> columns = new ArrayList<>();
      for (Column column : table.columns()) {
        CastRule rule = rules.stream().filter(r -> r.column() != null && names(r.column(), table, column))
            .findFirst()
            .orElseGet(() -> rules.stream()
                .filter(r -> r.sourceType() != null
                    && (typeOf.get(r).equals(column.baseType()) || r.sourceType().equals(column.type())))
                .findFirst().orElse(null));
        columns.add(rule == null ? column : cast(table, column, rule));
      }
      tables.add(table.withColumns(columns));
    }
    return catalog.withTables(tables);
  }

  private static Column cast(Table table, Column column, CastRule rule) {
    String type = rule.targetType() != null ? rule.targetType() : column.type();
    if (rule.dropTypmod()) {
      type = type.replaceAll("\\(\\s*\\d+(\\s*,\\s*\\d+)?\\s*\\)", "").replaceAll("\\s+", " ").strip();
    }
    boolean notNull = rule.setNotNull() || (column.notNull() && !rule.dropNotNull());
    Column cast = column.withTypeDefaultNotNull(type, rule.dropDefault() ? null : column.defaultExpr(), notNull);
    if (rule.using() == null) {
      return cast;
    }
    // Keys are read as they are by the backfill's key maps: a transformed key would find no parent.
    if (keyColumns(table).contains(column.name())) {
      throw new ConfigException(rule.location(), "'using " + rule.using().label() + "' on " + table.name() + "."
          + column.name() + ": the column is part of a key; transforms apply to other columns only");
    }
    return cast.withReadAs(rule.using().apply(Sql.ident(column.name())));
  }

  /** The columns of the table's keys: read as they are, for the backfill's key maps and the foreign keys. */
  static Set<String> keyColumns(Table table) {
    Set<String> keys = new HashSet<>();
    if (table.primaryKey() != null) {
      keys.addAll(table.primaryKey().columns());
    }
    table.uniqueConstraints().forEach(u -> keys.addAll(u.columns()));
    table.foreignKeys().forEach(f -> keys.addAll(f.columns()));
    return keys;
  }

  private static boolean names(NameRef ref, Table table, Column column) {
    List<String> p = ref.parts();
    return p.get(p.size() - 1).equals(column.name())
        && p.get(p.size() - 2).equals(table.name().name())
        && (p.size() < 3 || p.get(0).equals(table.name().schema()));
  }

  private static void checkColumnExists(Catalog catalog, CastRule rule) {
    boolean found = catalog.tables().stream()
        .anyMatch(t -> t.columns().stream().anyMatch(c -> names(rule.column(), t, c)));
    if (!found) {
      throw new ConfigException(rule.location(), "column " + rule.column()
          + " does not exist in the source (or the table filters leave its table out)");
    }
  }
}
