package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ObjectDefinition;
import dev.pg2citus.catalog.Extension;
import dev.pg2citus.catalog.LargeObject;
import dev.pg2citus.catalog.SchemaObject;
import dev.pg2citus.catalog.SequenceInfo;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.catalog.UserType;
import dev.pg2citus.config.ConfigOptions.Colocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SQL of the two schema phases, in the order they must run:
 *
 * <ul>
 *   <li>{@link #create()} (pre-data): the {@code before-load} scripts; drop when asked; schemas,
 *       extensions, types, routines, sequences, tables with columns only, aggregates; then
 *       distribution — reference tables first, then each colocation group root first, on empty
 *       tables so Citus moves no rows; then extended statistics and views.
 *   <li>{@link #finalizeScript()} (post-data), in the order {@link FinalizeScript} gives: primary
 *       keys, unique constraints, indexes, foreign keys, checks and ANALYZE as work per table
 *       ({@link PostDataPlan}), then sequence values from the source, then materialized views,
 *       triggers, rules, row-level security, grants and owners, database settings, and the {@code
 *       after-load} scripts last.
 * </ul>
 */
public final class SchemaScripts {
  private final TargetSchema target;
  private final MigrationConfig.Load load;
  private final Colocation colocation;
  private final List<String> beforeLoad;
  private final List<String> afterLoad;
  /** The migrating user as {@code regrole} prints it, when the target's spec names it; else null. */
  private final String migratingUser;

  public SchemaScripts(TargetSchema target, MigrationConfig config) {
    this.target = target;
    this.migratingUser = config.target().loginUser().map(Sql::display).orElse(null);
    this.load = config.load();
    this.colocation = config.citus().colocation();
    this.beforeLoad = config.beforeLoad();
    this.afterLoad = config.afterLoad();
  }

  /**
   * Tables in creation order: the plan's order, partitions after the tables they belong to, and a
   * table after those it inherits from.
   */
  private List<Table> tables() {
    List<Table> tables = new ArrayList<>();
    target.plan().placements().forEach(p -> tables.add(target.catalog().table(p.table()).orElseThrow()));
    tables.sort(Comparator.comparingInt(this::depth));
    return tables;
  }

  private int depth(Table table) {
    if (table.isPartition()) {
      return 1 + depth(target.catalog().table(table.parent()).orElseThrow());
    }
    return inheritedFrom(table).stream().mapToInt(p -> 1 + depth(target.catalog().table(p).orElseThrow()))
        .max().orElse(0);
  }

  /** The migrated tables {@code table} inherits from: it is created with {@code INHERITS} them. */
  private List<TableName> inheritedFrom(Table table) {
    return table.inherits().stream().filter(p -> target.catalog().table(p).isPresent()).toList();
  }

  /**
   * The pre-data statements, after the {@code before-load} scripts; with {@code data-only} only those
   * and a requested truncate.
   */
  public List<DdlStatement> create() {
    return create(load.includeDrop());
  }

  /** The pre-data statements; {@code dropFirst} drops the tables and types first, as include-drop does. */
  public List<DdlStatement> create(boolean dropFirst) {
    List<DdlStatement> out = new ArrayList<>();
    scripts(out, Step.BEFORE_LOAD, beforeLoad);
    if (!load.createsTables()) {
      List<Table> tables = tables().stream().filter(t -> !t.isPartition()).toList();
      if (load.truncate() && !tables.isEmpty()) {
        // One statement, so tables that reference each other can be truncated.
        out.add(new DdlStatement(Step.TRUNCATE, tables.size() + " tables", "TRUNCATE "
            + String.join(", ", tables.stream().map(t -> target.onTarget(t.name()).quoted()).toList())));
      }
      return out;
    }
    if (dropFirst) {
      drops(out);
    }
    TreeSet<String> schemas = new TreeSet<>();
    tables().forEach(t -> schemas.add(t.name().schema()));
    target.catalog().types().forEach(t -> schemas.add(t.name().schema()));
    target.catalog().sequences().forEach(s -> schemas.add(s.name().schema()));
    target.catalog().collations().forEach(c -> schemas.add(c.name().schema()));
    target.catalog().extensions().forEach(e -> schemas.add(e.schema()));
    schemas.addAll(target.catalog().tablelessSchemas());
    schemas.addAll(target.names().schemas());
    schemas.remove("public");
    schemas.remove("pg_catalog");
    schemas.forEach(s -> out.add(new DdlStatement(Step.SCHEMA, s, "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(s))));
    for (Extension e : target.catalog().extensions()) {
      String create = "CREATE EXTENSION IF NOT EXISTS " + Sql.ident(e.name()) + " SCHEMA " + Sql.ident(e.schema())
          + (e.version() == null ? "" : " VERSION " + Sql.literal(e.version()));
      // One no migrated table uses does not stop the run when the target refuses it: it is noted as not carried.
      out.add(new DdlStatement(Step.EXTENSION, e.name(), e.needed() ? create : GuardedStatement.noteIfRefused(create,
          "not carried: extension " + e.name() + " (no migrated table uses it), which the target refused: ")));
    }
    target.catalog().collations().forEach(c ->
        out.add(new DdlStatement(Step.COLLATION, c.name().toString(), "CREATE COLLATION IF NOT EXISTS "
            + c.name().quoted() + " (" + c.options() + ")")));
    target.catalog().types().forEach(t -> out.add(new DdlStatement(Step.TYPE, t.name().toString(), createType(t))));
    routines(out, false);
    for (SequenceInfo s : target.catalog().sequences()) {
      if (!s.identity()) {
        SequenceInfo e = asOwnerColumn(s);
        out.add(new DdlStatement(Step.SEQUENCE, s.name().toString(),
            "CREATE SEQUENCE " + s.name().quoted() + " AS " + e.dataType() + " " + sequenceOptions(e)));
      }
    }
    for (Table t : tables()) {
      out.add(new DdlStatement(Step.TABLE, t.name().toString(), createTable(t)));
    }
    routines(out, true);
    objects(SchemaObject.Kind.AGGREGATE).forEach(a -> add(out, Step.AGGREGATE, a));
    objects(SchemaObject.Kind.OPERATOR).forEach(o -> add(out, Step.OPERATOR, o));
    objects(SchemaObject.Kind.CAST).forEach(c -> add(out, Step.CAST, c));
    for (SequenceInfo s : target.catalog().sequences()) {
      if (!s.identity() && s.ownerTable() != null && target.catalog().table(s.ownerTable()).isPresent()) {
        out.add(new DdlStatement(Step.SEQUENCE_OWNER, s.name().toString(), "ALTER SEQUENCE " + s.name().quoted()
            + " OWNED BY " + s.ownerTable().quoted() + "." + Sql.ident(s.ownerColumn())));
      }
    }
    comments(out);
    objects(SchemaObject.Kind.COMMENT).stream().filter(c -> !c.needsTables())
        .forEach(c -> out.add(new DdlStatement(Step.COMMENT, c.name(), ObjectStatements.create(c))));
    distribution(out);
    objects(SchemaObject.Kind.STATISTICS).forEach(s -> add(out, Step.STATISTICS, s));
    for (SchemaObject v : views(false)) {
      add(out, Step.VIEW, v);
    }
    return out;
  }

  /**
   * Routines: those whose signature or body uses a table after the tables ({@code afterTables}),
   * the others before, since column defaults and checks may call them.
   */
  private void routines(List<DdlStatement> out, boolean afterTables) {
    for (SchemaObject r : target.catalog().objects()) {
      boolean routine = r.kind() == SchemaObject.Kind.FUNCTION || r.kind() == SchemaObject.Kind.PROCEDURE;
      if (routine && r.needsTables() == afterTables) {
        add(out, Step.FUNCTION, r);
      }
    }
  }

  /**
   * Views in dependency order: plain ones with the tables ({@code deferred} false), and after the
   * load ({@code deferred} true) materialized views, filled once, and the views that read them.
   */
  private List<SchemaObject> views(boolean deferred) {
    Set<String> late = new HashSet<>();
    List<SchemaObject> result = new ArrayList<>();
    for (SchemaObject o : target.catalog().objects()) {
      if (o.kind() != SchemaObject.Kind.VIEW && o.kind() != SchemaObject.Kind.MATERIALIZED_VIEW) {
        continue;
      }
      boolean isLate = o.kind() == SchemaObject.Kind.MATERIALIZED_VIEW || o.reads().stream().anyMatch(late::contains);
      if (isLate) {
        late.add(o.name());
      }
      if (isLate == deferred) {
        result.add(o);
      }
    }
    return result;
  }

  /** An object's statement, needing what it reads, and its comment, needing the object. */
  private static void add(List<DdlStatement> out, Step step, SchemaObject o) {
    out.add(new DdlStatement(step, o.name(), ObjectStatements.create(o)).needing(o.reads()));
    String comment = ObjectStatements.comment(o);
    if (comment != null) {
      out.add(new DdlStatement(Step.COMMENT, o.name(), comment).needing(Set.of(o.name())));
    }
  }

  /**
   * After every row is in: materialized views (and the views on them) with their indexes, then
   * triggers and rules, so that none fires on a migrated row, then row-level security, so that none
   * filters the load. Citus allows triggers on distributed tables
   * only with {@code citus.enable_unsafe_triggers}; on plain PostgreSQL the setting is inert.
   */
  List<DdlStatement> afterLoad() {
    List<DdlStatement> out = new ArrayList<>();
    if (load.createsTables()) {
      for (SchemaObject v : views(true)) {
        add(out, v.kind() == SchemaObject.Kind.VIEW ? Step.VIEW : Step.MATERIALIZED_VIEW, v);
        ObjectStatements.indexes(v).forEach(i -> out.add(new DdlStatement(Step.INDEX, v.name() + " index", i).needing(Set.of(v.name()))));
      }
      objects(SchemaObject.Kind.COMMENT).stream().filter(SchemaObject::needsTables)
          .forEach(c -> out.add(new DdlStatement(Step.COMMENT, c.name(), ObjectStatements.create(c))
              .needing(c.reads())));
      objects(SchemaObject.Kind.TRIGGER).forEach(t -> add(out, Step.TRIGGER, t));
      objects(SchemaObject.Kind.RULE).forEach(r -> add(out, Step.RULE, r));
      objects(SchemaObject.Kind.POLICY).forEach(p -> add(out, Step.POLICY, p));
      objects(SchemaObject.Kind.ROW_SECURITY).forEach(r -> add(out, Step.ROW_SECURITY, r));
      if (load.grants()) {
        objects(SchemaObject.Kind.GRANT).forEach(g -> add(out, Step.GRANT, g));
      }
      if (load.owners()) { // last of the objects: the migrating user owns everything until here
        objects(SchemaObject.Kind.OWNER).stream().filter(o -> !madeByOwner(o)).forEach(o -> add(out, Step.OWNER, o));
      }
      if (load.grants()) { // for what the roles create from now on, so after every object is made
        objects(SchemaObject.Kind.DEFAULT_PRIVILEGES).forEach(d -> add(out, Step.DEFAULT_PRIVILEGES, d));
      }
      // Last: a database setting reaches the sessions opened after it, which the run's own are not.
      objects(SchemaObject.Kind.SETTING).forEach(g -> add(out, Step.SETTING, g));
      out.addAll(new RenameStatements(target.names()).forward());
    }
    scripts(out, Step.AFTER_LOAD, afterLoad);
    return out;
  }

  /**
   * Whether {@code owner} names the migrating user for an object this run creates, which it owns
   * already: no statement. A schema may have been on the target before, with another owner.
   */
  private boolean madeByOwner(SchemaObject owner) {
    ObjectDefinition.Owner o = (ObjectDefinition.Owner) owner.definition();
    return o.owner().equals(migratingUser) && !o.kind().equals("SCHEMA");
  }

  /** A large object's comment, grants and owner, set once its contents are written. */
  public List<DdlStatement> largeObjectPrivileges(LargeObject lo) {
    List<DdlStatement> out = new ArrayList<>();
    for (SchemaObject o : lo.privileges()) {
      Step step = switch (o.kind()) {
        case GRANT -> load.grants() ? Step.GRANT : null;
        case OWNER -> load.owners() ? Step.OWNER : null;
        default -> Step.COMMENT;
      };
      if (step != null) {
        out.add(new DdlStatement(step, o.name(), ObjectStatements.create(o)));
      }
    }
    return out;
  }

  private List<SchemaObject> objects(SchemaObject.Kind kind) {
    return target.catalog().objects().stream().filter(o -> o.kind() == kind).toList();
  }

  /**
   * What finalize runs first when it runs again: the renames of an earlier finalize undone, so that
   * its statements find the tables under the source names they are written with. Empty unless this
   * run creates the schema and renames.
   */
  List<DdlStatement> sourceNamesBack() {
    return !load.createsTables() ? List.of() : new RenameStatements(target.names()).back();
  }

  /** The user's own SQL ({@code before-load}, {@code after-load}), each script as one statement. */
  private static void scripts(List<DdlStatement> out, Step step, List<String> scripts) {
    for (int i = 0; i < scripts.size(); i++) {
      out.add(new DdlStatement(step, step.label() + " " + (i + 1), scripts.get(i)));
    }
  }

  private void drops(List<DdlStatement> out) {
    List<Table> tables = tables();
    for (int i = tables.size() - 1; i >= 0; i--) {
      Table t = tables.get(i);
      if (!t.isPartition()) {
        out.add(new DdlStatement(Step.DROP, t.name().toString(), "DROP TABLE IF EXISTS " + t.name().quoted() + " CASCADE"));
      }
    }
    out.addAll(new RenameStatements(target.names()).drops());
    for (SequenceInfo s : target.catalog().sequences()) {
      if (!s.identity()) {
        out.add(new DdlStatement(Step.DROP, s.name().toString(), "DROP SEQUENCE IF EXISTS " + s.name().quoted() + " CASCADE"));
      }
    }
    List<UserType> types = target.catalog().types();
    for (int i = types.size() - 1; i >= 0; i--) {
      UserType t = types.get(i);
      String kind = t.kind() == UserType.Kind.DOMAIN ? "DOMAIN" : "TYPE";
      out.add(new DdlStatement(Step.DROP, t.name().toString(), "DROP " + kind + " IF EXISTS " + t.name().quoted() + " CASCADE"));
    }
  }

  private String createTable(Table t) {
    String unlogged = t.unlogged() ? "UNLOGGED " : "";
    String partitionBy = t.isPartitioned() ? " PARTITION BY " + t.partitionKey() : "";
    if (t.isPartition()) {
      return "CREATE " + unlogged + "TABLE " + t.name().quoted() + " PARTITION OF " + t.parent().quoted()
          + " " + t.partitionBound() + partitionBy;
    }
    List<TableName> parents = inheritedFrom(t);
    List<String> columns = new ArrayList<>();
    for (Column c : target.columns(t)) {
      // A column from the parents merges with theirs; a generated one takes their expression.
      boolean fromParents = !parents.isEmpty() && t.inheritedColumns().contains(c.name());
      columns.add(columnSql(t.name(), c, !fromParents));
    }
    String inherits = parents.isEmpty() ? ""
        : " INHERITS (" + String.join(", ", parents.stream().map(TableName::quoted).toList()) + ")";
    return "CREATE " + unlogged + "TABLE " + t.name().quoted() + " (\n    "
        + String.join(",\n    ", columns) + "\n)" + inherits + partitionBy;
  }

  /** @param ownGeneration whether a generated column says its expression (not when it takes its parent's) */
  private String columnSql(TableName table, Column c, boolean ownGeneration) {
    StringBuilder sql = new StringBuilder(Sql.ident(c.name())).append(' ').append(c.type());
    if (c.collation() != null) {
      sql.append(" COLLATE ").append(c.collation());
    }
    if (c.isGenerated()) {
      if (ownGeneration) {
        sql.append(" GENERATED ALWAYS AS (").append(c.generatedExpr()).append(") STORED");
      }
    } else if (c.isIdentity()) {
      sql.append(c.identity().equals("a") ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY");
      identitySequence(table, c.name())
          .ifPresent(s -> sql.append(" (").append(sequenceOptions(asOwnerColumn(s))).append(')'));
    } else if (c.defaultExpr() != null) {
      sql.append(" DEFAULT ").append(c.defaultExpr());
    }
    if (c.notNull()) {
      sql.append(" NOT NULL");
    }
    return sql.toString();
  }

  private static String createType(UserType t) {
    return switch (t.kind()) {
      case DOMAIN -> "CREATE DOMAIN " + t.name().quoted() + " AS " + t.body();
      case RANGE -> "CREATE TYPE " + t.name().quoted() + " AS RANGE (" + t.body() + ")";
      case ENUM -> "CREATE TYPE " + t.name().quoted() + " AS ENUM (" + t.body() + ")";
      case COMPOSITE -> "CREATE TYPE " + t.name().quoted() + " AS (" + t.body() + ")";
    };
  }

  /** The options shared by CREATE SEQUENCE (which adds {@code AS type}) and identity columns. */
  private static String sequenceOptions(SequenceInfo s) {
    return "INCREMENT BY " + s.increment() + " MINVALUE " + s.min() + " MAXVALUE " + s.max()
        + " START WITH " + s.start() + " CACHE " + s.cache() + (s.cycle() ? " CYCLE" : " NO CYCLE");
  }

  /** The sequence with its owning column's integer type, which a cast rule may have changed. */
  private SequenceInfo asOwnerColumn(SequenceInfo s) {
    if (s.ownerTable() == null) {
      return s;
    }
    return target.catalog().table(s.ownerTable()).flatMap(t -> t.column(s.ownerColumn()))
        .map(c -> s.withDataType(c.type())).orElse(s);
  }

  private Optional<SequenceInfo> identitySequence(TableName table, String column) {
    return target.catalog().sequences().stream()
        .filter(s -> s.identity() && table.equals(s.ownerTable()) && column.equals(s.ownerColumn()))
        .findFirst();
  }

  private void comments(List<DdlStatement> out) {
    for (Table t : tables()) {
      if (t.comment() != null) {
        out.add(new DdlStatement(Step.COMMENT, t.name().toString(),
            "COMMENT ON TABLE " + t.name().quoted() + " IS " + Sql.literal(t.comment())));
      }
      for (Column c : target.columns(t)) {
        if (c.comment() != null && !t.isPartition()) {
          out.add(new DdlStatement(Step.COMMENT, t.name() + "." + c.name(), "COMMENT ON COLUMN "
              + t.name().quoted() + "." + Sql.ident(c.name()) + " IS " + Sql.literal(c.comment())));
        }
      }
    }
  }

  private void distribution(List<DdlStatement> out) {
    for (Placement p : target.plan().placements()) {
      if (p.partitionOf() != null) {
        continue; // a partition follows its partitioned table
      }
      String table = Sql.literal(p.table().quoted());
      switch (p.kind()) {
        case REFERENCE -> out.add(new DdlStatement(Step.DISTRIBUTE, p.table().toString(),
            "SELECT create_reference_table(" + table + ")").needing(Set.of(p.table().toString())));
        case DISTRIBUTED -> out.add(new DdlStatement(Step.DISTRIBUTE, p.table().toString(),
            "SELECT create_distributed_table(" + table + ", " + Sql.literal(p.column()) + ", "
                + colocateWith(p) + ")").needing(new HashSet<>(List.of(p.colocationRoot().toString(), p.table().toString()))));
        case LOCAL -> { }
      }
    }
    target.plan().functions().forEach(f -> out.add(new DdlStatement(Step.DISTRIBUTE, f.routine(), f.sql())));
  }

  /** Citus refuses a shard count together with an existing table to colocate with. */
  private String colocateWith(Placement p) {
    String shards = "shard_count => " + target.plan().shardCount();
    if (colocation == Colocation.CITUS_DEFAULT) {
      return "colocate_with => 'default', " + shards;
    }
    if (p.colocationRoot().equals(p.table())) {
      return "colocate_with => 'none', " + shards;
    }
    return "colocate_with => " + Sql.literal(p.colocationRoot().quoted());
  }

  /** The post-data work, per table. */
  public PostDataPlan postData() {
    return new PostDataPlan(target, load, tables());
  }

  /** Finalize in the order it runs. */
  public FinalizeScript finalizeScript() {
    return new FinalizeScript(this);
  }

  /**
   * Every statement finalize issues, as {@code plan} prints them, with sequence values as the
   * catalog read them (finalize reads them again when it sets them).
   */
  public List<DdlStatement> finalizeSchema() {
    Map<TableName, Long> values = new HashMap<>();
    target.catalog().sequences().forEach(s -> values.put(s.name(), s.lastValue()));
    return finalizeScript().statements(values);
  }
}
