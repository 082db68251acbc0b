package dev.pg2citus.ddl;

import dev.pg2citus.catalog.CheckConstraint;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Index;
import dev.pg2citus.catalog.KeyConstraint;
import dev.pg2citus.catalog.SequenceInfo;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The post-data phase as work per table, so each table's part can start as soon as its rows are
 * in: primary keys, unique and exclusion constraints and indexes once the table is loaded (a
 * partitioned table's once every partition is); a foreign key once both its tables are loaded and
 * the referenced table's keys exist; checks once the table is loaded; ANALYZE once the table's
 * keys and indexes are built. Sequence values come apart: they are set after everything else, from
 * the source's values at that moment.
 */
public final class PostDataPlan {
  private final TargetSchema target;
  private final MigrationConfig.Load load;
  private final List<Table> tables;
  private final Map<TableName, List<TableName>> partitions = new HashMap<>();

  /** {@code tables} in creation order, partitions after the tables they belong to. */
  PostDataPlan(TargetSchema target, MigrationConfig.Load load, List<Table> tables) {
    this.target = target;
    this.load = load;
    this.tables = tables;
    tables.stream().filter(Table::isPartition)
        .forEach(t -> partitions.computeIfAbsent(t.parent(), p -> new ArrayList<>()).add(t.name()));
  }

  /** The tasks in the order a serial run would issue them: keys, indexes, foreign keys, checks, ANALYZE. */
  public List<PostDataTask> tasks() {
    List<PostDataTask> out = new ArrayList<>();
    Map<TableName, List<DdlStatement>> keys = new HashMap<>(); // what a foreign key to the table waits for
    Map<TableName, List<DdlStatement>> built = new HashMap<>(); // what the table's ANALYZE waits for
    if (!load.dataOnly() && load.createIndexes()) {
      keysAndIndexes(out, keys, built);
    }
    if (!load.dataOnly() && load.foreignKeys()) {
      foreignKeys(out, keys);
    }
    if (!load.dataOnly()) {
      for (Table t : tables) {
        for (CheckConstraint c : t.checks()) {
          out.add(new PostDataTask(constraint(Step.CHECK, t, c.name(), c.definition()), family(t.name()), Set.of()));
        }
      }
    }
    if (load.analyze()) {
      analyze(out, built);
    }
    return out;
  }

  private void keysAndIndexes(List<PostDataTask> out, Map<TableName, List<DdlStatement>> keys,
      Map<TableName, List<DdlStatement>> built) {
    for (Table t : tables) {
      KeyConstraint pk = t.primaryKey();
      if (pk != null) {
        of(keys, t).add(build(out, built, t, constraint(Step.PRIMARY_KEY, t, pk.name(), target.keyDefinition(t, pk))));
      }
    }
    for (Table t : tables) {
      for (KeyConstraint u : t.uniqueConstraints()) {
        of(keys, t).add(build(out, built, t, constraint(Step.UNIQUE, t, u.name(), target.keyDefinition(t, u))));
      }
    }
    for (Table t : tables) {
      for (KeyConstraint x : t.exclusionConstraints()) {
        build(out, built, t, constraint(Step.EXCLUSION, t, x.name(), target.exclusionDefinition(t, x)));
      }
    }
    for (Table t : tables) {
      for (Index i : t.indexes()) {
        String qualified = Sql.ident(target.onTarget(t.name()).schema()) + "." + Sql.ident(i.name());
        DdlStatement index = build(out, built, t, new DdlStatement(Step.INDEX, t.name() + " " + i.name(),
            target.indexDefinition(t, i), "SELECT 1 WHERE to_regclass(" + Sql.literal(qualified) + ") IS NOT NULL"));
        if (i.unique()) {
          of(keys, t).add(index);
        }
      }
    }
  }

  /** A foreign key reads and locks both its tables, and waits for every key of the referenced one. */
  private void foreignKeys(List<PostDataTask> out, Map<TableName, List<DdlStatement>> keys) {
    for (Table t : tables) {
      for (ForeignKey fk : t.foreignKeys()) {
        if (target.keeps(fk)) {
          Set<TableName> both = new LinkedHashSet<>(family(t.name()));
          both.addAll(family(fk.referenced()));
          out.add(new PostDataTask(constraint(Step.FOREIGN_KEY, t, fk.name(), target.foreignKeyDefinition(fk)),
              both, Set.copyOf(keys.getOrDefault(fk.referenced(), List.of()))));
        }
      }
    }
  }

  /** ANALYZE of a partitioned table samples its partitions and analyzes each of them too. */
  private void analyze(List<PostDataTask> out, Map<TableName, List<DdlStatement>> built) {
    for (Table t : tables) {
      if (!t.isPartition()) {
        Set<DdlStatement> after = new LinkedHashSet<>();
        family(t.name()).forEach(member -> after.addAll(built.getOrDefault(member, List.of())));
        out.add(new PostDataTask(new DdlStatement(Step.ANALYZE, t.name().toString(), "ANALYZE "
            + target.onTarget(t.name()).quoted()),
            family(t.name()), after));
      }
    }
  }

  /** Adds a key or index of {@code t}, which its ANALYZE waits for. */
  private DdlStatement build(List<PostDataTask> out, Map<TableName, List<DdlStatement>> built, Table t,
      DdlStatement statement) {
    out.add(new PostDataTask(statement, family(t.name()), Set.of()));
    of(built, t).add(statement);
    return statement;
  }

  private static List<DdlStatement> of(Map<TableName, List<DdlStatement>> perTable, Table t) {
    return perTable.computeIfAbsent(t.name(), n -> new ArrayList<>());
  }

  /** A table and its partitions, theirs included: what a statement on the table locks and reads. */
  private Set<TableName> family(TableName table) {
    Set<TableName> result = new LinkedHashSet<>(List.of(table));
    for (TableName p : partitions.getOrDefault(table, List.of())) {
      result.addAll(family(p));
    }
    return result;
  }

  private DdlStatement constraint(Step step, Table t, String name, String definition) {
    String table = target.onTarget(t.name()).quoted();
    return new DdlStatement(step, t.name() + " " + name,
        "ALTER TABLE " + table + " ADD CONSTRAINT " + Sql.ident(name) + " " + definition,
        "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(" + Sql.literal(table) + ")"
            + " AND conname = " + Sql.literal(name));
  }

  /**
   * Sets each sequence to {@code lastValues} (null: never used) when {@code load.reset-sequences}
   * asks; setval runs on the coordinator, which is where Citus evaluates nextval for distributed tables.
   */
  public List<DdlStatement> sequenceValues(Map<TableName, Long> lastValues) {
    List<DdlStatement> out = new ArrayList<>();
    if (!load.resetSequences()) {
      return out;
    }
    for (SequenceInfo s : target.catalog().sequences()) {
      Long value = lastValues.get(s.name());
      if (value == null) {
        continue; // never used on the source: the new sequence starts where it did
      }
      String sequence = s.identity()
          ? "pg_get_serial_sequence(" + Sql.literal(target.onTarget(s.ownerTable()).quoted()) + ", "
              + Sql.literal(s.ownerColumn()) + ")"
          : Sql.literal(target.onTarget(s.name()).quoted());
      out.add(new DdlStatement(Step.SEQUENCE_VALUE, s.name().toString(),
          "SELECT setval(" + sequence + ", " + value + ", true)"));
    }
    return out;
  }
}
