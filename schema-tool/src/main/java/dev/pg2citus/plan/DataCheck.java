package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.NameRef;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks the source rows against a distribution plan, before anything is written (pgloader and
 * pgcopydb find these only when a foreign key fails at the end):
 *
 * <ul>
 *   <li><b>disagreeing paths</b>: a foreign key between distributed tables holds the distribution
 *       column on both sides on Citus, so a row whose referenced row gets another distribution
 *       value (its parent along this key lives in another tenant than along the chosen path) can
 *       never satisfy it. Refuses the run: leave the key out, choose another path, or fix the rows.
 *   <li><b>orphans</b>: rows whose backfill path leads to no value (a NULL key, or no referenced
 *       row); {@code load.on-orphan} decides whether they are rejected (a warning here) or stop the run.
 *   <li><b>NULL distribution values</b> in a table's own distribution column, which Citus cannot
 *       place; rejected with {@code load.on-error: reject}, otherwise they refuse the run.
 * </ul>
 *
 * Each finding counts its rows and shows a few of their primary keys. Run it inside the
 * migration's snapshot, so it checks the rows that will be copied.
 */
public final class DataCheck {
  /** How many example keys a finding shows. */
  public static final int EXAMPLES = 5;

  /**
   * What one check found.
   *
   * @param table the table whose rows it is about
   * @param rows how many rows
   * @param examples up to {@link #EXAMPLES} of their keys, as {@code (id)=(42)}
   * @param refuses whether the run cannot go on with these rows (otherwise they are rejected)
   * @param text what is wrong and what to do
   */
  public record Finding(TableName table, long rows, List<String> examples, boolean refuses, String text) {
    @Override
    public String toString() {
      return text + "; e.g. " + String.join(", ", examples);
    }
  }

  private final Connection source;
  private final Catalog catalog;
  private final DistributionPlan plan;
  private final MigrationConfig config;
  private final List<Finding> findings = new ArrayList<>();

  private DataCheck(Connection source, Catalog catalog, DistributionPlan plan, MigrationConfig config) {
    this.source = source;
    this.catalog = catalog;
    this.plan = plan;
    this.config = config;
  }

  /** Runs every check on {@code source}; returns what they found, in table order. */
  public static List<Finding> run(Connection source, Catalog catalog, DistributionPlan plan, MigrationConfig config)
      throws SQLException {
    return new DataCheck(source, catalog, plan, config).run();
  }

  /** Throws a {@link PlanException} listing the findings that refuse the run, if any. */
  public static void refuseIfNeeded(List<Finding> findings) {
    List<String> refusing = findings.stream().filter(Finding::refuses).map(Finding::toString).toList();
    if (!refusing.isEmpty()) {
      throw new PlanException(refusing);
    }
  }

  private List<Finding> run() throws SQLException {
    for (Table table : catalog.tables()) {
      Placement p = plan.placement(table.name()).orElse(null);
      if (p == null || !p.isDistributed()) {
        continue;
      }
      if (p.partitionOf() == null) { // a partitioned table's query covers its partitions
        if (p.addsColumn()) {
          checkOrphans(table, p);
        } else {
          checkNullValues(table, p);
        }
      }
      for (ForeignKey fk : table.foreignKeys()) {
        Placement to = plan.placement(fk.referenced()).orElse(null);
        if (to != null && to.isDistributed() && plan.keeps(fk) && !agreesByConstruction(p, fk, to)) {
          checkPathsAgree(table, p, fk, to);
        }
      }
    }
    return findings;
  }

  /** Whether every row's value along {@code fk} is its own value, whatever the data. */
  private static boolean agreesByConstruction(Placement from, ForeignKey fk, Placement to) {
    if (!from.addsColumn()) {
      return from.column().equals(fk.columnReferencing(to.column()));
    }
    List<ForeignKey> hops = from.backfill().hops();
    if (!hops.get(0).equals(fk)) {
      return false;
    }
    if (!to.addsColumn()) {
      return hops.size() == 1 && to.column().equals(from.backfill().valueColumn());
    }
    return to.backfill().hops().equals(hops.subList(1, hops.size()))
        && to.backfill().valueColumn().equals(from.backfill().valueColumn());
  }

  private void checkOrphans(Table table, Placement p) throws SQLException {
    Value value = value(p, "t");
    String text = " rows of " + table.name() + " get no distribution value along " + p.backfill()
        + " (a NULL key or no referenced row): ";
    boolean stop = config.load().onOrphan() == OnOrphan.STOP;
    count(table, "FROM " + table.name().quoted() + " t" + value.joins() + " WHERE " + value.expression() + " IS NULL",
        stop, text + (stop ? "load.on-orphan: stop refuses them; fix the rows, or set on-orphan: reject"
            : "they will be rejected, with their reason (load.on-orphan: reject)"));
  }

  private void checkNullValues(Table table, Placement p) throws SQLException {
    if (table.column(p.column()).map(Column::notNull).orElse(true)) {
      return;
    }
    boolean reject = config.load().onError() == OnError.REJECT;
    count(table, "FROM " + table.name().quoted() + " t WHERE t." + Sql.ident(p.column()) + " IS NULL", !reject,
        " rows of " + table.name() + " have NULL in distribution column " + p.column() + ", which Citus cannot"
            + " place: " + (reject ? "they will be rejected (load.on-error: reject)"
                : "fix the rows, or set load.on-error: reject to reject them"));
  }

  private void checkPathsAgree(Table table, Placement from, ForeignKey fk, Placement to) throws SQLException {
    Value mine = value(from, "t");
    Value theirs = value(to, "r");
    String join = ForeignKeyJoin.join("JOIN", "t", fk, fk.referenced(), "r");
    count(table, "FROM " + table.name().quoted() + " t" + mine.joins() + join + theirs.joins()
            + " WHERE " + mine.expression() + " <> " + theirs.expression(), true,
        " rows of " + table.name() + " reference along " + fk.name() + " (" + fk.describe() + ") a row of another"
            + " distribution value than their own (" + describe(from) + "), so the key cannot hold on Citus:"
            + " leave it out (citus.leave-out-foreign-keys: [" + NameRef.spell(table.name().name()) + "." + NameRef.spell(fk.name())
            + "]), choose that path with a rule, or fix the rows");
  }

  private static String describe(Placement p) {
    return p.addsColumn() ? "along " + p.backfill() : p.table().name() + "." + p.column();
  }

  /** How a table's distribution value is read: joins after {@code alias}, and the expression. */
  private record Value(String joins, String expression) {}

  private static Value value(Placement p, String alias) {
    if (!p.addsColumn()) {
      return new Value("", alias + "." + Sql.ident(p.column()));
    }
    StringBuilder joins = new StringBuilder();
    String previous = alias;
    List<ForeignKey> hops = p.backfill().hops();
    for (int i = 0; i < hops.size(); i++) {
      String next = alias + i;
      joins.append(ForeignKeyJoin.join("LEFT JOIN", previous, hops.get(i), hops.get(i).referenced(), next));
      previous = next;
    }
    return new Value(joins.toString(), previous + "." + Sql.ident(p.backfill().valueColumn()));
  }

  /**
   * Counts the rows {@code fromWhere} selects (alias {@code t}) and adds a finding when there are
   * any; {@code text} follows the count.
   */
  private void count(Table table, String fromWhere, boolean refuses, String text) throws SQLException {
    List<String> key = table.primaryKey() != null ? table.primaryKey().columns() : List.of();
    String keyText = key.isEmpty() ? "'ctid ' || t.ctid::text"
        : "'(' || " + Sql.literal(String.join(", ", key)) + " || ')=(' || concat_ws(', ', "
            + key.stream().map(c -> "t." + Sql.ident(c)).collect(Collectors.joining(", ")) + ") || ')'";
    // count(*) OVER () is taken before LIMIT: one scan gives the total and the examples.
    String sql = "SELECT count(*) OVER (), " + keyText + " " + fromWhere + " LIMIT " + EXAMPLES;
    long rows = 0;
    List<String> examples = new ArrayList<>();
    try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows = rs.getLong(1);
        examples.add(rs.getString(2));
      }
    }
    if (rows > 0) {
      findings.add(new Finding(table.name(), rows, examples, refuses, String.format("%,d", rows) + text));
    }
  }
}
