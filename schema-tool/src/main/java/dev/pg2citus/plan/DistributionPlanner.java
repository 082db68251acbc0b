package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Index;
import dev.pg2citus.catalog.KeyConstraint;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.catalog.UserType;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.ConfigOptions.RefusedKeyActions;
import dev.pg2citus.config.DistributionRule;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.NameRef;
import dev.pg2citus.plan.Placement.Kind;
import dev.pg2citus.sql.Sql;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides, from the distribution rules and the source catalog, where every table goes.
 *
 * <ol>
 *   <li>Rules first: {@code using} (the table has the column), {@code using … from} (the column is
 *       added and backfilled along the named foreign keys), {@code as reference table}.
 *   <li>Discovery: a table with no rule that references a distributed table is distributed too,
 *       level by level outwards from the rule tables, whatever its key columns are called. When one
 *       of its foreign keys carries the parent's distribution column, that column is its own;
 *       otherwise the column is added and backfilled along the one foreign-key path to a table that
 *       has it. Several paths are an error that lists them, unless a rule names the table.
 *   <li>Tables that distributed or reference tables reference become reference tables when
 *       {@code citus.auto-reference-tables} says so; otherwise that is an error naming the rule to add.
 *   <li>Tables joined by foreign keys form one colocation group with one column type.
 * </ol>
 *
 * <p>Cycles (self references, mutual references) are safe: each table is placed once.
 */
public final class DistributionPlanner {
  private final Catalog catalog;
  private final MigrationConfig config;
  private final Map<TableName, Placement> placed = new LinkedHashMap<>();
  private final Map<TableName, DistributionRule> ruleOf = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> weakenedKeys = new ArrayList<>();
  private final Set<ForeignKey> dropped = new HashSet<>();
  private final Set<ForeignKey> actionsDropped = new HashSet<>();
  /** What stops the plan, each once; planning goes on past each, so one error lists them all. */
  private final Set<String> problems = new LinkedHashSet<>();

  private DistributionPlanner(Catalog catalog, MigrationConfig config) {
    this.catalog = catalog;
    this.config = config;
  }

  /** Plans {@code catalog} (already filtered and cast) under {@code config}'s rules. */
  public static DistributionPlan plan(Catalog catalog, MigrationConfig config) {
    return new DistributionPlanner(catalog, config).run();
  }

  private DistributionPlan run() {
    for (DistributionRule rule : config.rules()) {
      TableName table = resolveTable(rule.table(), rule);
      if (catalog.table(table).orElseThrow().isPartition()) {
        throw new ConfigException(rule.location(), table + " is a partition; write the rule for its "
            + "partitioned table " + catalog.table(table).orElseThrow().parent());
      }
      DistributionRule earlier = ruleOf.put(table, rule);
      if (earlier != null) {
        throw new ConfigException(rule.location(), "a second rule for " + table + "; the first is at "
            + earlier.location());
      }
    }
    leaveOutForeignKeys();
    ruleOf.forEach(this::placeByRule);
    discover();
    placeReferencedTables();
    for (Table t : catalog.tables()) {
      if (!t.isPartition() && !placed.containsKey(t.name())) {
        placed.put(t.name(), new Placement(t.name(), Kind.LOCAL, null, null, null, null, null, "no rule"));
      }
    }
    findForeignKeysCitusCannotKeep();
    warnAboutKeyTypes();
    warnAboutUnsupportedShapes();
    findCitusRefusals();
    checkInheritance();
    checkForeignKeyActions();
    List<List<TableName>> groups = colocationGroups();
    noteWeakenedKeys();
    if (!problems.isEmpty()) {
      throw new PlanException(List.copyOf(problems));
    }
    return new DistributionPlan(ordered(groups), warnings, weakenedKeys, dropped, actionsDropped,
        config.citus().shardCount(), config.citus().colocation(), citusLocalTables());
  }

  /**
   * The local tables Citus takes into its metadata as Citus local tables, each with why: creating a
   * foreign key from a local table to a reference table makes Citus convert it
   * ({@code citus.enable_local_reference_table_foreign_keys}, on by default), and with it every local
   * table joined to it by foreign keys or partitioning. Nothing is converted when no key is created.
   */
  private Map<TableName, String> citusLocalTables() {
    Map<TableName, String> why = new LinkedHashMap<>();
    if (config.targetIsPlainPostgresql() || !config.load().foreignKeys()) {
      return why;
    }
    List<Table> local = placed.values().stream().filter(p -> p.kind() == Kind.LOCAL)
        .map(p -> catalog.table(p.table()).orElseThrow()).toList();
    Deque<TableName> reached = new ArrayDeque<>();
    for (Table t : local) {
      keptKeys(t).stream().filter(fk -> placed.get(fk.referenced()).kind() == Kind.REFERENCE).findFirst()
          .ifPresent(fk -> {
            why.put(t.name(), "its foreign key " + Sql.display(fk.name()) + " (" + fk.describe()
                + ") references reference table " + fk.referenced());
            reached.add(t.name());
          });
    }
    while (!reached.isEmpty()) {
      TableName converted = reached.poll();
      for (Table t : local) {
        if (why.containsKey(t.name())) {
          continue;
        }
        Optional<ForeignKey> joined = keptKeys(t).stream().filter(fk -> fk.referenced().equals(converted)).findFirst()
            .or(() -> keptKeys(catalog.table(converted).orElseThrow()).stream()
                .filter(fk -> fk.referenced().equals(t.name())).findFirst());
        TableName parent = placed.get(t.name()).partitionOf();
        if (joined.isPresent()) {
          why.put(t.name(), "foreign key " + Sql.display(joined.get().name()) + " (" + joined.get().describe()
              + ") joins it to Citus local table " + converted);
        } else if (converted.equals(parent) || t.name().equals(placed.get(converted).partitionOf())) {
          why.put(t.name(), "partitioned with Citus local table " + converted);
        } else {
          continue;
        }
        reached.add(t.name());
      }
    }
    return why;
  }

  // ---- rules

  private void placeByRule(TableName name, DistributionRule rule) {
    Table table = catalog.table(name).orElseThrow();
    String reason = "rule '" + rule + "' (" + rule.location() + ")";
    if (rule.isReference()) {
      placed.put(name, new Placement(name, Kind.REFERENCE, null, null, null, null, null, reason));
      return;
    }
    Optional<Column> own = table.column(rule.column());
    if (rule.from().isEmpty()) {
      Column column = own.orElseThrow(() -> new ConfigException(rule.location(),
          "table " + name + " has no column " + rule.column() + suggestPath(table, rule.column())));
      placed.put(name, new Placement(name, Kind.DISTRIBUTED, column.name(), column.type(), null, null, null, reason));
      return;
    }
    if (own.isPresent()) {
      throw new ConfigException(rule.location(), "table " + name + " already has column " + rule.column()
          + "; write '" + rule.table() + " using " + rule.column() + "' without 'from'");
    }
    List<ForeignKey> hops = new ArrayList<>();
    Table current = table;
    for (NameRef hopRef : rule.from()) {
      Table next = catalog.table(resolveTable(hopRef, rule)).orElseThrow();
      List<ForeignKey> keys = foreignKeys(current, next.name());
      if (keys.isEmpty()) {
        throw new ConfigException(rule.location(), "the 'from' path is not joined by foreign keys: "
            + current.name() + " has no foreign key to " + next.name() + describeKeys(current));
      }
      if (keys.size() > 1) {
        throw new ConfigException(rule.location(), current.name() + " has several foreign keys to "
            + next.name() + " (" + keys.stream().map(ForeignKey::describe).collect(Collectors.joining("; "))
            + "); pg2citus cannot tell which one the path follows");
      }
      hops.add(keys.get(0));
      current = next;
    }
    Table valueTable = current;
    Column value = valueTable.column(rule.column()).orElseThrow(() -> new ConfigException(rule.location(),
        "the 'from' path ends at " + valueTable.name() + ", which has no column " + rule.column()));
    placed.put(name, new Placement(name, Kind.DISTRIBUTED, rule.column(), value.type(),
        new Backfill(hops, rule.column()), null, null, reason));
  }

  private TableName resolveTable(NameRef ref, DistributionRule rule) {
    return resolveTable(catalog, ref, rule.location());
  }

  /** The migrated table {@code ref} names: refused, at {@code where}, when none or several do. */
  static TableName resolveTable(Catalog catalog, NameRef ref, ConfigLocation where) {
    List<TableName> matches = catalog.tables().stream().map(Table::name)
        .filter(t -> t.name().equals(ref.name())
            && (ref.schema() == null || t.schema().equals(ref.schema())))
        .toList();
    if (matches.isEmpty()) {
      throw new ConfigException(where, "table " + ref + " does not exist in the source"
          + " (or the table filters leave it out)");
    }
    if (matches.size() > 1) {
      throw new ConfigException(where, "table " + ref + " is ambiguous: "
          + matches.stream().map(TableName::toString).collect(Collectors.joining(", ")) + "; qualify it with its schema");
    }
    return matches.get(0);
  }

  /** Foreign keys of {@code from} (its partitions' too) that point at {@code to}. */
  private List<ForeignKey> foreignKeys(Table from, TableName to) {
    return declaredKeys(from).stream().filter(fk -> fk.referenced().equals(to)).toList();
  }

  private String describeKeys(Table table) {
    List<ForeignKey> keys = declaredKeys(table);
    if (keys.isEmpty()) {
      return " (it has no foreign keys)";
    }
    return " (its foreign keys: " + keys.stream().map(ForeignKey::describe).collect(Collectors.joining("; ")) + ")";
  }

  /** Suggests a {@code from} path: the nearest tables, along foreign keys, that have the column. */
  private String suggestPath(Table start, String column) {
    Map<TableName, List<TableName>> pathTo = new HashMap<>();
    Deque<Table> queue = new ArrayDeque<>(List.of(start));
    pathTo.put(start.name(), List.of());
    while (!queue.isEmpty()) {
      Table t = queue.poll();
      for (ForeignKey fk : t.foreignKeys()) {
        Optional<Table> next = catalog.table(fk.referenced());
        if (next.isEmpty() || pathTo.containsKey(fk.referenced())) {
          continue;
        }
        List<TableName> path = new ArrayList<>(pathTo.get(t.name()));
        path.add(fk.referenced());
        if (next.get().column(column).isPresent()) {
          return "; to add it, write '" + NameRef.spell(start.name().name()) + " using " + NameRef.spell(column)
              + " from " + path.stream().map(p -> NameRef.spell(p.name())).collect(Collectors.joining(", ")) + "'";
        }
        pathTo.put(fk.referenced(), path);
        queue.add(next.get());
      }
    }
    return "";
  }

  // ---- discovery

  private void discover() {
    Set<TableName> frontier = distributedNames();
    while (!frontier.isEmpty()) {
      Set<TableName> reached = frontier;
      Map<TableName, List<ForeignKey>> level = new TreeMap<>();
      for (Table t : catalog.tables()) {
        if (placed.containsKey(t.name()) || t.isPartition()) {
          continue;
        }
        List<ForeignKey> hops = declaredKeys(t).stream()
            .filter(fk -> !fk.referenced().equals(t.name()) && isDistributed(fk.referenced()))
            .toList();
        if (hops.stream().anyMatch(fk -> reached.contains(fk.referenced()))) {
          level.put(t.name(), hops);
        }
      }
      level.forEach((table, hops) -> placed.put(table, placeDiscovered(catalog.table(table).orElseThrow(), hops)));
      frontier = level.keySet();
    }
    for (Placement p : List.copyOf(placed.values())) {
      if (p.addsColumn() && !ruleOf.containsKey(p.table())) {
        checkSinglePath(catalog.table(p.table()).orElseThrow(), p);
      }
    }
  }

  /**
   * The foreign keys of a table as its rows see them: its own, and for a partitioned table also
   * those declared on its partitions (PostgreSQL allows either), one per columns and referenced
   * table — the partitioned table is distributed with its partitions, so those keys lead to it.
   */
  private List<ForeignKey> declaredKeys(Table table) {
    Map<String, ForeignKey> keys = new LinkedHashMap<>();
    keptKeys(table).forEach(fk -> keys.putIfAbsent(fk.columns() + " " + fk.referenced(), fk));
    if (table.isPartitioned()) {
      for (Table t : catalog.tables()) {
        if (t.isPartition() && topParent(t).equals(table.name())) {
          keptKeys(t).forEach(fk -> keys.putIfAbsent(fk.columns() + " " + fk.referenced(), fk));
        }
      }
    }
    return List.copyOf(keys.values());
  }

  /** The foreign keys declared on {@code table} that are not left out. */
  private List<ForeignKey> keptKeys(Table table) {
    return table.foreignKeys().stream().filter(fk -> !dropped.contains(fk)).toList();
  }

  /**
   * The keys {@code citus.leave-out-foreign-keys} names are not created, and lead neither discovery
   * nor a path: leaving one out is also how a table with several paths keeps one.
   */
  private void leaveOutForeignKeys() {
    for (NameRef ref : config.citus().leaveOutForeignKeys()) {
      List<String> parts = ref.parts();
      String constraint = parts.get(parts.size() - 1);
      NameRef table = new NameRef(parts.subList(0, parts.size() - 1));
      List<ForeignKey> matches = catalog.tables().stream()
          .filter(t -> t.name().name().equals(table.name()) && (table.schema() == null
              || t.name().schema().equals(table.schema())))
          .flatMap(t -> t.foreignKeys().stream()).filter(fk -> fk.name().equals(constraint)).toList();
      if (matches.size() != 1) {
        throw new ConfigException(new ConfigLocation(config.origin(), 0, "citus.leave-out-foreign-keys"),
            (matches.isEmpty() ? "no foreign key " : "several foreign keys match ") + ref
                + (matches.isEmpty() ? " in the source (write table.constraint with the source's names)"
                    : ": qualify the table with its schema"));
      }
      dropped.add(matches.get(0));
      warnings.add("foreign key " + Sql.display(matches.get(0).name()) + " (" + matches.get(0).describe() + ") is left out:"
          + " it is not created (citus.leave-out-foreign-keys)");
    }
  }

  private Placement placeDiscovered(Table table, List<ForeignKey> hops) {
    Map<String, ForeignKey> natives = new LinkedHashMap<>();
    for (ForeignKey hop : hops) {
      String own = hop.columnReferencing(placed.get(hop.referenced()).column());
      if (own != null) {
        natives.putIfAbsent(own, hop);
      }
    }
    if (natives.size() > 1) {
      problems.add(table.name() + " carries the distribution column in several columns ("
          + String.join(", ", natives.keySet()) + "); add a rule such as '" + NameRef.spell(table.name().name())
          + " using " + NameRef.spell(natives.keySet().iterator().next()) + "'");
    }
    if (!natives.isEmpty()) { // with several, planning goes on with the first to find further problems
      var entry = natives.entrySet().iterator().next();
      Column column = table.column(entry.getKey()).orElseThrow();
      return new Placement(table.name(), Kind.DISTRIBUTED, column.name(), column.type(), null, null, null,
          "discovered: " + entry.getValue().describe());
    }
    if (hops.size() > 1) {
      problems.add(severalPaths(table, hops)); // planning goes on along the first
    }
    ForeignKey hop = hops.get(0);
    Placement parent = placed.get(hop.referenced());
    String column = addedColumnName(parent);
    if (table.column(column).isPresent()) {
      problems.add(table.name() + " must get distribution column " + column + " through "
          + hop.describe() + ", but already has a column of that name; add a rule for " + table.name().name());
    }
    List<ForeignKey> path = new ArrayList<>(List.of(hop));
    String valueColumn = parent.column();
    if (parent.addsColumn()) {
      path.addAll(parent.backfill().hops());
      valueColumn = parent.backfill().valueColumn();
    }
    return new Placement(table.name(), Kind.DISTRIBUTED, column, parent.columnType(),
        new Backfill(path, valueColumn), null, null, "discovered: " + hop.describe());
  }

  /**
   * The name an added column takes: the parent's distribution column, except below a root that
   * other tables reference by its distribution column: then it is named as their referencing
   * columns are ({@code company_id} for {@code companies.id}).
   */
  private String addedColumnName(Placement parent) {
    if (parent.addsColumn() || !ruleOf.containsKey(parent.table())) {
      return parent.column();
    }
    return catalog.foreignKeysTo(parent.table()).stream()
        .filter(fk -> !fk.table().equals(parent.table()))
        .map(fk -> fk.columnReferencing(parent.column()))
        .filter(c -> c != null)
        .findFirst()
        .orElse(parent.column());
  }

  /** A table whose column is added must reach its group along one path only. */
  private void checkSinglePath(Table table, Placement placement) {
    ForeignKey chosen = placement.backfill().hops().get(0);
    List<ForeignKey> alternatives = new ArrayList<>(List.of(chosen));
    for (ForeignKey fk : keptKeys(table)) {
      Placement other = placed.get(fk.referenced());
      if (fk != chosen && !fk.referenced().equals(table.name()) && other != null && other.isDistributed()
          && (other.backfill() == null || !other.backfill().passesThrough(table.name()))) {
        alternatives.add(fk);
      }
    }
    if (alternatives.size() > 1) {
      problems.add(severalPaths(table, alternatives));
    }
  }

  private String severalPaths(Table table, List<ForeignKey> hops) {
    StringBuilder paths = new StringBuilder();
    for (ForeignKey hop : hops) {
      Placement parent = placed.get(hop.referenced());
      List<String> tables = new ArrayList<>(List.of(hop.referenced().name()));
      if (parent.addsColumn()) {
        parent.backfill().hops().forEach(h -> tables.add(h.referenced().name()));
      }
      paths.append("\n    ").append(NameRef.spell(table.name().name())).append(" using ")
          .append(NameRef.spell(addedColumnName(parent))).append(" from ")
          .append(tables.stream().map(NameRef::spell).collect(Collectors.joining(", "))).append("   (").append(hop.describe()).append(')');
    }
    return table.name() + " reaches distributed tables along several foreign-key paths; pick one with a rule:"
        + paths;
  }

  // ---- reference tables

  /**
   * Places the tables that distributed and reference tables reference. Without a rule or {@code
   * citus.auto-reference-tables}, such a table is an error; the search goes on past it as if it
   * were a reference table, so one error names every table that needs a rule, each once.
   */
  private void placeReferencedTables() {
    Map<TableName, String> missing = new LinkedHashMap<>();
    Deque<TableName> queue = new ArrayDeque<>(placed.keySet());
    while (!queue.isEmpty()) {
      Placement from = placed.get(queue.poll());
      if (from.kind() == Kind.LOCAL) {
        continue;
      }
      for (ForeignKey fk : declaredKeys(catalog.table(from.table()).orElseThrow())) {
        TableName to = fk.referenced();
        Placement target = placed.get(to);
        if (to.equals(from.table())) {
          continue;
        }
        if (catalog.table(to).isEmpty()) {
          warnings.add("foreign key " + Sql.display(fk.name()) + " of " + from.table() + " references " + to
              + ", which the table filters leave out: it is not created");
        } else if (target == null) {
          boolean auto = config.citus().autoReferenceTables();
          placed.put(to, new Placement(to, Kind.REFERENCE, null, null, null, null, null,
              "referenced by " + Sql.display(from.table().name()) + (auto ? " (citus.auto-reference-tables)" : "")));
          queue.add(to);
          if (!auto) {
            missing.put(to, to + " (referenced by " + fk.describe() + "): add '" + NameRef.spell(to.name())
                + " as reference table'");
          }
        } else if (from.kind() == Kind.REFERENCE && target.isDistributed() && !missing.containsKey(from.table())) {
          problems.add("reference table " + from.table() + " references distributed table " + to
              + " (" + fk.describe() + "), which Citus does not allow; distribute " + from.table().name()
              + " or make " + to.name() + " a reference table");
        }
      }
    }
    if (!missing.isEmpty()) {
      problems.add(missing.size() + " tables that distributed or reference tables reference have no"
          + " rule:\n    " + String.join("\n    ", missing.values())
          + "\n  or set citus.auto-reference-tables: true for all of them");
    }
  }

  /** Citus 13 cannot propagate user-defined range types, so tables using one cannot be distributed. */
  private void warnAboutUnsupportedShapes() {
    Set<String> ranges = catalog.types().stream().filter(t -> t.kind() == UserType.Kind.RANGE)
        .map(t -> t.name().toString()).collect(Collectors.toSet());
    for (Placement p : placed.values()) {
      if (p.kind() == Kind.LOCAL) {
        continue;
      }
      Table table = catalog.table(p.table()).orElseThrow();
      for (Column c : table.columns()) {
        if (ranges.contains(c.baseType())) {
          warnings.add(p.table() + "." + c.name() + " uses range type " + c.baseType()
              + ", which Citus cannot distribute: cast it (to text, say) or leave " + p.table().name() + " local");
        }
      }
    }
  }

  /** PostgreSQL's limit on a table's columns (MaxHeapAttributeNumber). */
  static final int MAX_COLUMNS = 1600;

  /**
   * What the target would refuse to create under this plan, found before anything is written: a
   * table that the added distribution column would take past {@value #MAX_COLUMNS} columns; and on
   * Citus a partitioned table of several levels that is distributed ("distributing multi-level
   * partitioned tables is not supported") or a partitioned reference table ("distributing
   * partitioned tables in only supported for hash-distributed tables").
   */
  private void findCitusRefusals() {
    for (Placement p : placed.values()) {
      Table table = catalog.table(p.table()).orElseThrow();
      if (p.addsColumn() && table.columns().size() + 1 > MAX_COLUMNS) {
        problems.add(p.table() + " has " + table.columns().size() + " columns; the added distribution column "
            + p.column() + " would take it past PostgreSQL's " + MAX_COLUMNS + ": distribute it on a column it has"
            + " (a rule '" + NameRef.spell(p.table().name()) + " using <column>'), leave it local, or drop a column");
      }
      if (config.targetIsPlainPostgresql() || p.kind() == Kind.LOCAL || !table.isPartitioned()) {
        continue;
      }
      List<TableName> subPartitioned = catalog.tables().stream()
          .filter(t -> t.isPartition() && t.isPartitioned() && topParent(t).equals(p.table()))
          .map(Table::name).toList();
      if (p.kind() == Kind.REFERENCE) {
        problems.add(p.table() + " is partitioned and would be a reference table (" + p.reason() + "), which Citus"
            + " refuses (only hash-distributed tables may be partitioned): distribute it with a rule, or leave"
            + " it and the tables referencing it local");
      } else if (!subPartitioned.isEmpty()) {
        problems.add(p.table() + " is partitioned in several levels ("
            + subPartitioned.stream().map(TableName::toString).collect(Collectors.joining(", "))
            + (subPartitioned.size() == 1 ? " is" : " are") + " partitioned too), which Citus cannot distribute"
            + " (distributing multi-level partitioned tables is not supported): give it one level of"
            + " partitions on the source, or leave it local (no rule or foreign key reaching it)");
      }
    }
  }

  /**
   * Tables of classic inheritance ({@code INHERITS}) are created with it, as on the source, so a
   * parent's rows include its children's there too. Citus refuses such tables as distributed or
   * reference tables, and in its metadata, where a foreign key to a Citus table would put a local
   * one: each is refused here, by name, with what to do. A parent the table filters leave out is
   * warned about: the child is created without {@code INHERITS}.
   */
  private void checkInheritance() {
    Map<TableName, List<TableName>> family = new TreeMap<>();
    for (Table t : catalog.tables()) {
      for (TableName parent : t.inherits()) {
        if (catalog.table(parent).isEmpty()) {
          warnings.add(t.name() + " inherits from " + parent + ", which the table filters leave out: it is created"
              + " without INHERITS");
          continue;
        }
        family.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(parent);
        family.computeIfAbsent(parent, k -> new ArrayList<>()).add(t.name());
      }
    }
    if (config.targetIsPlainPostgresql()) {
      return;
    }
    String remedy = ", which Citus refuses for tables in an inheritance hierarchy: leave the hierarchy local (no rule"
        + " or foreign key reaching it), or turn it into declarative partitioning on the source";
    family.forEach((name, related) -> {
      Placement p = placed.get(name);
      String relatives = " (INHERITS with " + related.stream().map(TableName::toString)
          .collect(Collectors.joining(", ")) + ")";
      if (p.kind() != Kind.LOCAL) {
        problems.add(name + relatives + " would be " + (p.isDistributed() ? "distributed on " + p.column()
            : "a reference table") + " (" + p.reason() + ")" + remedy);
        return;
      }
      for (ForeignKey fk : keptKeys(catalog.table(name).orElseThrow())) {
        Placement to = placed.get(fk.referenced());
        if (to != null && to.kind() != Kind.LOCAL) {
          problems.add(name + relatives + " has foreign key " + fk.name() + " (" + fk.describe() + ") to a Citus"
              + " table, which would add it to Citus' metadata" + remedy + "; or leave the key out"
              + " (citus.leave-out-foreign-keys: [" + NameRef.spell(name.name()) + "." + NameRef.spell(fk.name()) + "])");
        }
      }
    });
  }

  /**
   * Notes every key that gains the distribution column, as Citus requires, with what it no longer
   * enforces: a primary key, unique constraint or unique index is unique only among the rows of
   * one distribution value; an exclusion constraint excludes only among them; a foreign key paired
   * on the distribution columns lets a row reference only a row of its own value.
   */
  private void noteWeakenedKeys() {
    for (Placement p : placed.values()) {
      if (!p.isDistributed()) {
        continue;
      }
      Table table = catalog.table(p.table()).orElseThrow();
      String column = p.column();
      String shown = Sql.display(column);
      String within = ", only among rows of one " + shown;
      List<KeyConstraint> keys = new ArrayList<>();
      if (table.primaryKey() != null) {
        keys.add(table.primaryKey());
      }
      keys.addAll(table.uniqueConstraints());
      for (KeyConstraint key : keys) {
        if (!key.columns().contains(column)) {
          weakenedKeys.add(key.definition() + " on " + p.table() + " becomes " + KeyRewrites.key(key.definition(), column)
              + ": " + displayed(key.columns()) + (key.columns().size() == 1 ? " is" : " are")
              + " no longer unique across the table" + within);
        }
      }
      for (Index index : table.indexes()) {
        if (index.unique() && !index.keyColumns().contains(column)) {
          weakenedKeys.add("unique index " + Sql.display(index.name()) + " on " + p.table() + " gains " + shown
              + " in front: its"
              + " keys are no longer unique across the table" + within);
        }
      }
      for (KeyConstraint x : table.exclusionConstraints()) {
        if (!x.columns().contains(column)) {
          weakenedKeys.add(x.definition() + " on " + p.table() + " becomes " + KeyRewrites.exclusion(x.definition(),
              column) + ": conflicting rows are excluded only among rows of one " + shown
              + ", no longer across the table");
        }
      }
      for (ForeignKey fk : keptKeys(table)) {
        Placement to = placed.get(fk.referenced());
        if (to != null && to.isDistributed() && !column.equals(fk.columnReferencing(to.column()))) {
          weakenedKeys.add("foreign key " + Sql.display(fk.name()) + " (" + fk.describe() + ") becomes (" + shown + ", "
              + displayed(fk.columns()) + ") → " + Sql.display(fk.referenced().name()) + "("
              + Sql.display(to.column()) + ", " + displayed(fk.referencedColumns())
              + "): a row may reference only a row of its own " + shown + ", whose key is unique only among those rows");
        }
      }
    }
  }

  /** The actions Citus refuses on a foreign key that holds the distribution column. */
  public static final Pattern REFUSED_ACTION = Pattern.compile(
      " ON UPDATE (CASCADE|SET NULL|SET DEFAULT)| ON DELETE (SET NULL|SET DEFAULT)");

  /**
   * Citus refuses some actions on a foreign key that holds the distribution column: with {@code
   * citus.refused-key-actions: error} every such key is named in one error; with {@code drop} they
   * are created without the action. A plain PostgreSQL target keeps them as they are.
   */
  private void checkForeignKeyActions() {
    List<String> refused = new ArrayList<>();
    for (Placement p : placed.values()) {
      if (!p.isDistributed()) {
        continue;
      }
      for (ForeignKey fk : declaredKeys(catalog.table(p.table()).orElseThrow())) {
        boolean holdsColumn = fk.columns().contains(p.column()) || isDistributed(fk.referenced());
        Matcher action = REFUSED_ACTION.matcher(fk.options());
        if (!holdsColumn || !action.find() || dropped.contains(fk)) {
          continue;
        }
        String key = "foreign key " + Sql.display(fk.name()) + " (" + fk.describe() + ") has" + action.group();
        if (config.targetIsPlainPostgresql()) {
          warnings.add(key + ", which Citus refuses on a key that holds the distribution column; the plain"
              + " PostgreSQL target keeps it");
        } else if (config.citus().refusedKeyActions() == RefusedKeyActions.DROP) {
          actionsDropped.add(fk);
          warnings.add(key + ", which Citus refuses on a key that holds the distribution column: it is created"
              + " without it (citus.refused-key-actions: drop)");
        } else {
          refused.add(key);
        }
      }
    }
    if (!refused.isEmpty()) {
      problems.add(refused.size() + " foreign keys have actions Citus refuses on a key that holds the"
          + " distribution column:\n    " + String.join("\n    ", refused)
          + "\n  set citus.refused-key-actions: drop to create them without those actions, or make the"
          + " referenced tables reference tables");
    }
  }

  /**
   * A foreign key between distributed tables must pair their distribution columns; one that ties a
   * row to a row of another distribution value (a root's self-reference, a key into another group's
   * root) cannot exist on Citus. It is left out, with a warning that says how to keep it.
   */
  private void findForeignKeysCitusCannotKeep() {
    for (Placement from : placed.values()) {
      if (!from.isDistributed()) {
        continue;
      }
      for (ForeignKey fk : keptKeys(catalog.table(from.table()).orElseThrow())) {
        Placement to = placed.get(fk.referenced());
        if (to == null || !to.isDistributed()) {
          continue;
        }
        String paired = fk.columnReferencing(to.column());
        boolean keepable = from.column().equals(paired) || (paired == null && !fk.columns().contains(from.column()));
        if (!keepable) {
          dropped.add(fk);
          warnings.add("foreign key " + Sql.display(fk.name()) + " (" + fk.describe() + ") ties rows of different distribution "
              + "values, which Citus cannot enforce: it is not created (make " + NameRef.spell(to.table().name())
              + " a reference table to keep it)");
        }
      }
    }
  }

  /**
   * The backfill matches foreign keys to referenced keys by their text, which is exact when both
   * sides print alike: the same type, integers of any width, or text and varchar. Otherwise (numeric
   * against numeric(10,2), say) equal keys can print differently and their rows would be rejected.
   */
  private void warnAboutKeyTypes() {
    for (Placement p : placed.values()) {
      if (!p.addsColumn()) {
        continue;
      }
      for (ForeignKey hop : p.backfill().hops()) {
        Table from = catalog.table(hop.table()).orElseThrow();
        Table to = catalog.table(hop.referenced()).orElseThrow();
        for (int i = 0; i < hop.columns().size(); i++) {
          String a = from.column(hop.columns().get(i)).map(Column::type).orElse("");
          String b = to.column(hop.referencedColumns().get(i)).map(Column::type).orElse("");
          if (!printAlike(a, b)) {
            warnings.add("backfill of " + p.table() + " matches " + hop.table().name() + "." + hop.columns().get(i)
                + " (" + a + ") to " + hop.referenced().name() + "." + hop.referencedColumns().get(i) + " (" + b
                + ") by their text, which can differ for equal values: add a cast rule to give both one type");
          }
        }
      }
    }
  }

  private static final Set<String> INTEGERS = Set.of("smallint", "integer", "bigint");

  private static boolean printAlike(String a, String b) {
    return a.equals(b) || (INTEGERS.contains(a) && INTEGERS.contains(b)) || (isText(a) && isText(b));
  }

  private static boolean isText(String type) {
    return type.equals("text") || type.startsWith("character varying");
  }

  // ---- colocation

  /** Groups distributed tables joined by foreign keys or backfill paths; each list root first. */
  private List<List<TableName>> colocationGroups() {
    Map<TableName, TableName> parent = new HashMap<>();
    for (TableName t : distributedNames()) {
      parent.put(t, t);
    }
    for (TableName t : distributedNames()) {
      Placement p = placed.get(t);
      for (ForeignKey fk : catalog.table(t).orElseThrow().foreignKeys()) {
        if (parent.containsKey(fk.referenced()) && !dropped.contains(fk)) {
          union(parent, t, fk.referenced());
        }
      }
      if (p.addsColumn()) {
        p.backfill().hops().stream().map(ForeignKey::referenced).filter(parent::containsKey)
            .forEach(hop -> union(parent, t, hop));
      }
    }
    Map<TableName, List<TableName>> groups = new LinkedHashMap<>();
    for (TableName t : distributedNames()) {
      groups.computeIfAbsent(find(parent, t), k -> new ArrayList<>()).add(t);
    }
    List<TableName> ruleOrder = new ArrayList<>(ruleOf.keySet());
    Comparator<TableName> preference = Comparator
        .comparing((TableName t) -> placed.get(t).addsColumn())
        .thenComparing(t -> ruleOrder.contains(t) ? ruleOrder.indexOf(t) : Integer.MAX_VALUE)
        .thenComparing(t -> t);
    List<List<TableName>> sorted = new ArrayList<>();
    for (List<TableName> members : groups.values()) {
      members.sort(preference);
      // The root is distributed first and the others colocate with it, so it must come first in
      // foreign-key order too.
      List<Placement> inOrder = referencedFirst(members);
      TableName root = inOrder.get(0).table();
      Set<String> types = members.stream().map(t -> withoutModifiers(placed.get(t).columnType()))
          .collect(Collectors.toCollection(TreeSet::new));
      if (types.size() > 1) {
        problems.add("colocation group of " + root + " mixes distribution column types ("
            + inOrder.stream().map(p -> p.table().name() + "." + p.column() + " " + p.columnType())
                .collect(Collectors.joining(", "))
            + "); colocated tables need one type: add a cast rule");
      }
      inOrder.forEach(p -> placed.put(p.table(), p.withRoot(root)));
      sorted.add(inOrder.stream().map(Placement::table).toList());
    }
    sorted.sort(Comparator.comparing(group -> group.get(0), preference));
    return sorted;
  }

  /** A type without its modifiers: Citus colocates on the type alone ({@code varchar(5)} with {@code varchar(10)}). */
  private static String withoutModifiers(String type) {
    return type.replaceAll("\\(\\d+(,\\d+)?\\)", "");
  }

    private static void union(Map<TableName, TableName> parent, TableName a, TableName b) {
    parent.put(find(parent, a), find(parent, b));
  }

  private static TableName find(Map<TableName, TableName> parent, TableName t) {
    while (!parent.get(t).equals(t)) {
      t = parent.get(t);
    }
    return t;
  }

  // ---- order

  private List<Placement> ordered(List<List<TableName>> groups) {
    List<Placement> result = new ArrayList<>();
    List<TableName> reference = placed.values().stream().filter(p -> p.kind() == Kind.REFERENCE)
        .map(Placement::table).toList();
    result.addAll(referencedFirst(reference));
    groups.forEach(group -> group.forEach(t -> result.add(placed.get(t))));
    placed.values().stream().filter(p -> p.kind() == Kind.LOCAL).forEach(result::add);
    for (Table t : catalog.tables()) {
      if (t.isPartition()) {
        result.add(placed.get(topParent(t)).asPartitionOf(t.name(), t.parent()));
      }
    }
    return result;
  }

  private TableName topParent(Table partition) {
    Table t = partition;
    while (t.isPartition()) {
      t = catalog.table(t.parent()).orElseThrow();
    }
    return t.name();
  }

  /** Orders tables so that a referenced table comes before the tables referencing it; cycles keep input order. */
  private List<Placement> referencedFirst(List<TableName> tables) {
    Set<TableName> members = new HashSet<>(tables);
    Set<TableName> done = new LinkedHashSet<>();
    Set<TableName> visiting = new HashSet<>();
    for (TableName t : tables) {
      visit(t, members, done, visiting);
    }
    return done.stream().map(placed::get).toList();
  }

  private void visit(TableName t, Set<TableName> members, Set<TableName> done, Set<TableName> visiting) {
    if (done.contains(t) || !visiting.add(t)) {
      return;
    }
    for (ForeignKey fk : catalog.table(t).orElseThrow().foreignKeys()) {
      if (members.contains(fk.referenced()) && !reaches(fk.referenced(), t, members)) {
        visit(fk.referenced(), members, done, visiting);
      }
    }
    done.add(t);
  }

  /** Whether foreign keys among {@code members} lead from {@code from} to {@code to}: a cycle. */
  private boolean reaches(TableName from, TableName to, Set<TableName> members) {
    Set<TableName> seen = new HashSet<>();
    Deque<TableName> queue = new ArrayDeque<>(List.of(from));
    while (!queue.isEmpty()) {
      TableName t = queue.poll();
      if (t.equals(to)) {
        return true;
      }
      if (seen.add(t)) {
        catalog.table(t).orElseThrow().foreignKeys().stream().map(ForeignKey::referenced)
            .filter(members::contains).forEach(queue::add);
      }
    }
    return false;
  }

  private boolean isDistributed(TableName t) {
    Placement p = placed.get(t);
    return p != null && p.isDistributed();
  }

  private Set<TableName> distributedNames() {
    return placed.values().stream().filter(Placement::isDistributed).map(Placement::table)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Column or key names as the plan prints them ({@link Sql#display}). */
  private static String displayed(List<String> names) {
    return names.stream().map(Sql::display).collect(Collectors.joining(", "));
  }
}
