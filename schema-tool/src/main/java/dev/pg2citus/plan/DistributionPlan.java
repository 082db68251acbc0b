package dev.pg2citus.plan;

import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigOptions.Colocation;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The planner's decision for every selected table, in the order Citus needs them distributed:
 * reference tables (referenced ones first), then each colocation group root first and its tables
 * in foreign-key order, then the tables left local. Print it with {@link #render()}.
 */
public final class DistributionPlan {
  private final Map<TableName, Placement> placements;
  private final List<String> warnings;
  private final List<String> weakenedKeys;
  private final Set<ForeignKey> droppedForeignKeys;
  private final Set<ForeignKey> refusedActionsDropped;
  private final int shardCount;
  private final Colocation colocation;
  private final List<FunctionPlacement> functions;
  private final Map<TableName, String> citusLocal;

  DistributionPlan(List<Placement> ordered, List<String> warnings, List<String> weakenedKeys,
      Set<ForeignKey> droppedForeignKeys, Set<ForeignKey> refusedActionsDropped, int shardCount, Colocation colocation,
      Map<TableName, String> citusLocal) {
    this(ordered, warnings, weakenedKeys, droppedForeignKeys, refusedActionsDropped, shardCount, colocation,
        List.of(), citusLocal);
  }

  private DistributionPlan(List<Placement> ordered, List<String> warnings, List<String> weakenedKeys,
      Set<ForeignKey> droppedForeignKeys, Set<ForeignKey> refusedActionsDropped, int shardCount,
      Colocation colocation, List<FunctionPlacement> functions, Map<TableName, String> citusLocal) {
    Map<TableName, Placement> byName = new LinkedHashMap<>();
    ordered.forEach(p -> byName.put(p.table(), p));
    this.placements = byName;
    this.warnings = List.copyOf(warnings);
    this.weakenedKeys = List.copyOf(weakenedKeys);
    this.droppedForeignKeys = Set.copyOf(droppedForeignKeys);
    this.refusedActionsDropped = Set.copyOf(refusedActionsDropped);
    this.shardCount = shardCount;
    this.colocation = colocation;
    this.functions = List.copyOf(functions);
    this.citusLocal = new LinkedHashMap<>(citusLocal);
  }

  /** The same plan with {@code newFunctions} distributed ({@link FunctionPlanner}). */
  DistributionPlan withFunctions(List<FunctionPlacement> newFunctions) {
    return new DistributionPlan(placements(), warnings, weakenedKeys, droppedForeignKeys, refusedActionsDropped,
        shardCount, colocation, newFunctions, citusLocal);
  }

  /**
   * Why Citus will hold {@code table}, a local table of the plan, as a Citus local table (its foreign
   * keys tie it to a reference table); empty when it stays a plain local table.
   */
  public Optional<String> citusLocal(TableName table) {
    return Optional.ofNullable(citusLocal.get(table));
  }

  /** The routines distributed with {@code create_distributed_function}, in rule order. */
  public List<FunctionPlacement> functions() {
    return functions;
  }

  /** Every table, in distribution order. */
  public List<Placement> placements() {
    return List.copyOf(placements.values());
  }

  public Optional<Placement> placement(TableName table) {
    return Optional.ofNullable(placements.get(table));
  }

  /** Placement of {@code table}; it must be part of the plan. */
  public Placement of(TableName table) {
    Placement p = placements.get(table);
    if (p == null) {
      throw new IllegalArgumentException(table + " is not part of the plan");
    }
    return p;
  }

  /** Whether any table needs Citus (a reference or distributed table). */
  public boolean needsCitus() {
    return placements.values().stream().anyMatch(p -> p.kind() != Placement.Kind.LOCAL);
  }

  /** Things that will not carry over as they are, for the user to know before running. */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The keys that gain the distribution column (Citus requires it in every primary key, unique and
   * exclusion constraint, and pairs it in foreign keys between distributed tables), each with what
   * it no longer enforces: {@code UNIQUE (email) on public.users becomes UNIQUE (id, email): …}.
   */
  public List<String> weakenedKeys() {
    return weakenedKeys;
  }

  /** Whether Citus can keep {@code fk} (see the warnings for the ones it cannot). */
  public boolean keeps(ForeignKey fk) {
    return !droppedForeignKeys.contains(fk);
  }

  /** Whether {@code fk} is created without the actions Citus refuses ({@code citus.refused-key-actions: drop}). */
  public boolean dropsRefusedActions(ForeignKey fk) {
    return refusedActionsDropped.contains(fk);
  }

  public int shardCount() {
    return shardCount;
  }

  public Colocation colocation() {
    return colocation;
  }

  /** The plan as a person reads it. */
  public String render() {
    List<Placement> reference = new ArrayList<>();
    Map<TableName, List<Placement>> groups = new LinkedHashMap<>();
    List<Placement> local = new ArrayList<>();
    for (Placement p : placements.values()) {
      switch (p.kind()) {
        case REFERENCE -> reference.add(p);
        case DISTRIBUTED -> groups.computeIfAbsent(p.colocationRoot(), k -> new ArrayList<>()).add(p);
        case LOCAL -> local.add(p);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("Distribution plan: ").append(placements.size()).append(" tables — ")
        .append(count(groups)).append(" distributed in ").append(groups.size()).append(" colocation group")
        .append(groups.size() == 1 ? "" : "s").append(", ").append(reference.size()).append(" reference, ")
        .append(citusLocal.size()).append(" Citus local, ").append(local.size() - citusLocal.size())
        .append(" local\n");
    int width = placements.keySet().stream().mapToInt(t -> t.toString().length()).max().orElse(10);
    for (var group : groups.entrySet()) {
      Placement root = placements.get(group.getKey());
      out.append("\n  colocation group of ").append(group.getKey()).append(" (").append(root.columnType())
          .append(", ").append(shardCount).append(" shards)\n");
      for (Placement p : group.getValue()) {
        String how = "distributed on " + Sql.display(p.column()) + (p.addsColumn() ? " (added)" : "");
        out.append(line(width, p, how));
        if (p.addsColumn()) {
          out.append(String.format("    %-" + width + "s   backfill: %s%n", "", p.backfill()));
        }
      }
    }
    if (!reference.isEmpty()) {
      out.append("\n  reference tables\n");
      reference.forEach(p -> out.append(line(width, p, "reference")));
    }
    if (!local.isEmpty()) {
      out.append("\n  local tables\n");
      local.forEach(p -> out.append(citusLocal(p.table()).map(why -> line(width, p, "Citus local", p.reason()
          + "; Citus adds it to its metadata (a Citus local table, on the coordinator): " + why))
          .orElse(line(width, p, "local"))));
    }
    if (!functions.isEmpty()) {
      out.append("\n  distributed functions\n");
      functions.forEach(f -> out.append(String.format("    %s   on %s, colocated with %s   %s%n", f.routine(),
          f.argument(), f.colocateWith(), f.reason())));
    }
    if (!weakenedKeys.isEmpty()) {
      out.append("\n  keys that gain the distribution column, and what each no longer enforces\n");
      weakenedKeys.forEach(w -> out.append("    ").append(w).append('\n'));
    }
    if (!warnings.isEmpty()) {
      out.append("\n  warnings\n");
      warnings.forEach(w -> out.append("    ").append(w).append('\n'));
    }
    return out.toString();
  }

  private static int count(Map<TableName, List<Placement>> groups) {
    return groups.values().stream().mapToInt(List::size).sum();
  }

  private static String line(int width, Placement p, String how) {
    return line(width, p, how, p.reason());
  }

  private static String line(int width, Placement p, String how, String reason) {
    return String.format("    %-" + width + "s   %-34s %s%n", p.table(), how, reason);
  }

  @Override
  public String toString() {
    return render();
  }
}
