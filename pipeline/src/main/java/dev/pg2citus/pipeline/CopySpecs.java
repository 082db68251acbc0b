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
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the target schema into what the data phase needs: a {@link TableCopy} per table that holds
 * rows (partitioned tables hold none; their partitions do), and the side-input maps of the backfill.
 * What verification checks of each table, it builds itself ({@code verify.TableChecks}).
 */
public final class CopySpecs {
  private final List<TableCopy> tables = new ArrayList<>();
  private final Map<String, KeyMapSpec> keyMaps = new LinkedHashMap<>();

  public CopySpecs(TargetSchema target) {
    for (Table table : target.catalog().tables()) {
      if (!table.isPartitioned()) {
        tables.add(copyOf(target, table));
      }
    }
  }

  /** The tables whose rows are copied (no partitioned parents): run record name → quoted source name. */
  public static Map<String, String> leaves(TargetSchema target) {
    Map<String, String> leaves = new LinkedHashMap<>();
    target.catalog().tables().stream().filter(t -> !t.isPartitioned())
        .forEach(t -> leaves.put(t.name().toString(), t.name().quoted()));
    return leaves;
  }

  public List<TableCopy> tables() {
    return tables;
  }

  /** Side-input maps by id, each after the maps it composes with. */
  public Map<String, KeyMapSpec> keyMaps() {
    return keyMaps;
  }

  private TableCopy copyOf(TargetSchema target, Table table) {
    List<String> source = new ArrayList<>();
    List<String> read = new ArrayList<>();
    List<String> sourceNames = new ArrayList<>();
    for (Column c : table.columns()) {
      if (!c.isGenerated()) {
        source.add(Sql.ident(c.name()));
        String as = c.readAs() != null ? c.readAs() : Sql.ident(c.name());
        read.add(as);
        sourceNames.add(c.name());
      }
    }
    Placement placement = target.plan().of(table.name());
    TableName into = target.onTarget(table.name());
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
      backfill = new TableCopy.Backfill(keyFields, keyMap(target, path, 0), path.toString(), Math.max(0, keys));
    }
    targetColumns.addAll(source);
    return new TableCopy(table.name().toString(), table.name().quoted(), into.quoted(), into.name(), source, read,
        targetColumns, backfill);
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
