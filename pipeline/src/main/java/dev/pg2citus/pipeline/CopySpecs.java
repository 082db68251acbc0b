package dev.pg2citus.pipeline;

import dev.pg2citus.backfill.KeyMapSpec;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.plan.Backfill;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.sql.Relations;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the target schema into what the pipeline needs: a {@link TableCopy} per table that holds
 * rows (partitioned tables hold none; their partitions do), and the side-input maps of the backfill.
 */
public final class CopySpecs {
  private final List<TableCopy> tables = new ArrayList<>();
  private final Map<String, KeyMapSpec> keyMaps = new LinkedHashMap<>();
  private final Map<String, String> finalNames = new HashMap<>();
  private final Map<String, String> renamedCheckSql = new HashMap<>();
  private final Map<String, List<String>> checksumColumns = new HashMap<>();

  public CopySpecs(TargetSchema target) {
    for (Table table : target.catalog().tables()) {
      if (!table.isPartitioned()) {
        tables.add(copyOf(target, table));
      }
    }
  }

  public List<TableCopy> tables() {
    return tables;
  }

  /**
   * The table {@code t}'s rows are in on the target now: the one they were written into while it
   * is there, else the name finalize renamed it to.
   */
  String standing(Connection target, TableCopy t) throws SQLException {
    String renamed = finalNames.get(t.table());
    return renamed == null || Relations.exists(target, t.quotedTarget()) ? t.quotedTarget() : renamed;
  }

  /** What the source's side of {@code load.verify: checksums} reads of {@code t}: its columns as the target has them. */
  List<String> checksumColumns(TableCopy t) {
    return checksumColumns.get(t.table());
  }

  /** The backfill check of {@code t} under the names {@link #standing} found. */
  String checkSql(TableCopy t, String standing) {
    return standing.equals(t.quotedTarget()) ? t.backfill().checkSql() : renamedCheckSql.get(t.table());
  }

  /** Side-input maps by id, each after the maps it composes with. */
  public Map<String, KeyMapSpec> keyMaps() {
    return keyMaps;
  }

  private TableCopy copyOf(TargetSchema target, Table table) {
    List<String> source = new ArrayList<>();
    List<String> read = new ArrayList<>();
    List<String> sourceNames = new ArrayList<>();
    List<String> checksummed = new ArrayList<>();
    for (Column c : table.columns()) {
      if (!c.isGenerated()) {
        source.add(Sql.ident(c.name()));
        String as = c.readAs() != null ? c.readAs() : Sql.ident(c.name());
        read.add(as);
        sourceNames.add(c.name());
        // A cast column as COPY converts it: the source type's output (format's %s), the target type's input.
        checksummed.add(c.sourceType() == null ? as
            : "CASE WHEN (" + as + ") IS NULL THEN NULL ELSE format('%s', " + as + ")::" + c.type() + " END");
      }
    }
    checksumColumns.put(table.name().toString(), checksummed);
    Placement placement = target.plan().of(table.name());
    TableName into = target.onTarget(table.name());
    TableName renamed = target.names().of(table.name());
    List<String> targetColumns = new ArrayList<>();
    TableCopy.Backfill backfill = null;
    if (placement.addsColumn()) {
      targetColumns.add(Sql.ident(placement.column()));
      Backfill path = placement.backfill();
      ForeignKey first = path.hops().get(0);
      int[] keyFields = first.columns().stream().mapToInt(sourceNames::indexOf).toArray();
      long keys = path.hops().stream()
          .mapToLong(h -> target.catalog().table(h.referenced()).map(Table::estimatedRows).orElse(0L))
          .max().orElse(0);
      Placement parent = target.plan().of(first.referenced());
      backfill = new TableCopy.Backfill(keyFields, keyMap(target, path, 0), path.toString(), Math.max(0, keys),
          checkSql(into, target.onTarget(first.referenced()), placement, first, parent));
      if (!renamed.equals(into)) {
        renamedCheckSql.put(table.name().toString(), checkSql(renamed, target.names().of(first.referenced()),
            placement, first, parent));
      }
    }
    targetColumns.addAll(source);
    if (!renamed.equals(into)) {
      finalNames.put(table.name().toString(), renamed.quoted());
    }
    return new TableCopy(table.name().toString(), table.name().quoted(), into.quoted(), into.name(), source, read,
        targetColumns, backfill);
  }

  /**
   * Rows of {@code table} whose added column differs from the distribution value of the row its
   * first hop references ({@code referenced}), by the names the target has them under.
   */
  private static String checkSql(TableName table, TableName referenced, Placement child, ForeignKey hop,
      Placement parent) {
    StringBuilder join = new StringBuilder();
    for (int i = 0; i < hop.columns().size(); i++) {
      join.append(i == 0 ? "" : " AND ").append("c.").append(Sql.ident(hop.columns().get(i)))
          .append(" = p.").append(Sql.ident(hop.referencedColumns().get(i)));
    }
    return "SELECT count(*) FROM ONLY " + table.quoted() + " c JOIN " + referenced.quoted() + " p ON "
        + join + " WHERE c." + Sql.ident(child.column()) + " IS DISTINCT FROM p." + Sql.ident(parent.column());
  }

  /** The map for hop {@code i} of {@code path}, registering it and the maps after it. */
  private String keyMap(TargetSchema target, Backfill path, int i) {
    ForeignKey hop = path.hops().get(i);
    boolean last = i == path.hops().size() - 1;
    String next = last ? null : keyMap(target, path, i + 1);
    List<String> values = last ? List.of(path.valueColumn()) : path.hops().get(i + 1).columns();
    String id = hop.referenced() + "(" + String.join(",", hop.referencedColumns()) + ")"
        + (last ? "." + path.valueColumn() : "(" + String.join(",", values) + ")→" + next);
    Optional<Table> referenced = target.catalog().table(hop.referenced());
    keyMaps.computeIfAbsent(id, k -> new KeyMapSpec(id, hop.referenced().quoted(),
        referenced.map(Table::isPartitioned).orElse(false), hop.referencedColumns().stream().map(Sql::ident).toList(),
        values.stream().map(Sql::ident).toList(), next, referenced.map(Table::estimatedRows).orElse(0L)));
    return id;
  }
}
