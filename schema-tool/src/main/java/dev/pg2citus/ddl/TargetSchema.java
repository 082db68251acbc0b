package dev.pg2citus.ddl;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Index;
import dev.pg2citus.catalog.KeyConstraint;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.DistributionPlanner;
import dev.pg2citus.plan.KeyRewrites;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.plan.TargetNames;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target shape of each table: the source table with the distribution column added first where
 * the plan adds it, and put in front of every primary key, unique constraint, unique index,
 * exclusion constraint ({@code WITH =}) and foreign key between distributed tables that lacks it. Everything else is the source's own text.
 */
public final class TargetSchema {
  private static final Pattern INDEX_COLUMNS = Pattern.compile(" USING [a-z0-9_]+ \\(");
  private static final String IDENT = "(?:\"(?:[^\"]|\"\")*\"|[^\\s\".]+)";
  /** {@code CREATE [UNIQUE] INDEX name ON schema.table USING} as pg_get_indexdef prints it. */
  private static final Pattern INDEX_TABLE = Pattern.compile(
      "^(CREATE (?:UNIQUE )?INDEX " + IDENT + " ON )" + IDENT + "\\." + IDENT + " USING ");

  private final Catalog catalog;
  private final DistributionPlan plan;
  private final TargetNames names;
  private final Map<TableName, TableName> standing;

  public TargetSchema(Catalog catalog, DistributionPlan plan, TargetNames names) {
    this(catalog, plan, names, Map.of());
  }

  /** A target without rename rules. */
  public TargetSchema(Catalog catalog, DistributionPlan plan) {
    this(catalog, plan, TargetNames.NONE, Map.of());
  }

  private TargetSchema(Catalog catalog, DistributionPlan plan, TargetNames names, Map<TableName, TableName> standing) {
    this.catalog = catalog;
    this.plan = plan;
    this.names = names;
    this.standing = Map.copyOf(standing);
  }

  /** The names finalize gives the objects last. */
  public TargetNames names() {
    return names;
  }

  /**
   * The same target where some tables and sequences stand under their new names already, as
   * {@code renamed} maps them (source → target): a run that creates no tables loads, analyzes and
   * sets sequences there.
   */
  public TargetSchema standingAt(Map<TableName, TableName> renamed) {
    return new TargetSchema(catalog, plan, names, renamed);
  }

  /** The name the target has {@code relation} (a table or sequence) under for this run's statements. */
  public TableName onTarget(TableName relation) {
    return standing.getOrDefault(relation, relation);
  }

  public Catalog catalog() {
    return catalog;
  }

  public DistributionPlan plan() {
    return plan;
  }

  /** The target columns in order: an added distribution column first, NOT NULL. */
  public List<Column> columns(Table table) {
    Placement p = plan.of(table.name());
    List<Column> columns = new ArrayList<>();
    if (p.addsColumn()) {
      columns.add(new Column(p.column(), p.columnType(), p.columnType(), true, null, "", null, null,
          "distribution column added by pg2citus", null, null));
    }
    columns.addAll(table.columns());
    return columns;
  }

  /** A PRIMARY KEY or UNIQUE definition that holds the distribution column. */
  public String keyDefinition(Table table, KeyConstraint key) {
    Placement p = plan.of(table.name());
    if (!p.isDistributed() || key.columns().contains(p.column())) {
      return key.definition();
    }
    return KeyRewrites.key(key.definition(), p.column());
  }

  /**
   * An EXCLUDE definition that holds the distribution column with {@code =}, as Citus requires; the
   * plan notes what such a rewrite no longer excludes.
   */
  public String exclusionDefinition(Table table, KeyConstraint exclusion) {
    Placement p = plan.of(table.name());
    if (!p.isDistributed() || exclusion.columns().contains(p.column())) {
      return exclusion.definition();
    }
    return KeyRewrites.exclusion(exclusion.definition(), p.column());
  }

  /**
   * An index definition for the target: {@code ON ONLY} dropped so an index of a partitioned table
   * reaches its partitions, on the table by the name it stands under, and the distribution column
   * put in front of a unique index's keys.
   */
  public String indexDefinition(Table table, Index index) {
    String def = index.definition().replaceFirst(" ON ONLY ", " ON ");
    if (!onTarget(table.name()).equals(table.name())) { // the table stands under its new name
      def = INDEX_TABLE.matcher(def).replaceFirst("$1" + Matcher.quoteReplacement(onTarget(table.name()).quoted())
          + " USING ");
    }
    Placement p = plan.of(table.name());
    if (!index.unique() || !p.isDistributed() || index.keyColumns().contains(p.column())) {
      return def;
    }
    Matcher m = INDEX_COLUMNS.matcher(def);
    if (!m.find()) {
      throw new IllegalStateException("unexpected index definition: " + def);
    }
    return KeyRewrites.insertAt(def, m.end(), Sql.ident(p.column()) + ", ");
  }

  /**
   * A foreign key definition: as the source has it, unless both tables are distributed and the key
   * does not already pair their distribution columns; then both sides get them in front. The
   * referenced table by the name it stands under.
   */
  public String foreignKeyDefinition(ForeignKey fk) {
    Placement from = plan.of(fk.table());
    Placement to = plan.of(fk.referenced());
    String definition;
    boolean asItIs = !from.isDistributed() || !to.isDistributed()
        || from.column().equals(fk.columnReferencing(to.column()));
    if (asItIs && onTarget(fk.referenced()).equals(fk.referenced())) {
      definition = fk.definition();
    } else {
      List<String> columns = new ArrayList<>(asItIs ? List.of() : List.of(from.column()));
      columns.addAll(fk.columns());
      List<String> referenced = new ArrayList<>(asItIs ? List.of() : List.of(to.column()));
      referenced.addAll(fk.referencedColumns());
      definition = "FOREIGN KEY (" + Sql.idents(columns) + ") REFERENCES " + onTarget(fk.referenced()).quoted()
          + "(" + Sql.idents(referenced) + ")" + fk.options();
    }
    return plan.dropsRefusedActions(fk) ? DistributionPlanner.REFUSED_ACTION.matcher(definition).replaceAll("")
        : definition;
  }

  /** Whether a foreign key is created: its referenced table is migrated too, and Citus can enforce it. */
  public boolean keeps(ForeignKey fk) {
    return catalog.table(fk.referenced()).isPresent() && plan.keeps(fk);
  }
}
