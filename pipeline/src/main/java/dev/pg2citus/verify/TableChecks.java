package dev.pg2citus.verify;

import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.plan.ForeignKeyJoin;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.sql.Relations;
import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What verification reads of each table, from the target schema: where its rows stand on the
 * target now (finalize may have renamed it), the columns the source's checksum reads, and the
 * check of an added distribution column against the row its first foreign-key hop references.
 */
final class TableChecks {
  /**
   * @param renamed the quoted name finalize gives the table, or null when it keeps the one it was loaded under
   * @param checksumColumns what the source's side of {@code load.verify: checksums} reads: its
   *     columns as the target has them
   * @param backfillCheck the added column's check under the name it was loaded under, or null
   * @param renamedBackfillCheck the same under the names finalize gives, or null
   */
  private record Check(String renamed, List<String> checksumColumns, String backfillCheck,
      String renamedBackfillCheck) {}

  private final Map<String, Check> checks = new HashMap<>();

  TableChecks(TargetSchema target) {
    for (Table table : target.catalog().tables()) {
      if (!table.isPartitioned()) {
        checks.put(table.name().toString(), checkOf(target, table));
      }
    }
  }

  /**
   * The quoted table {@code t}'s rows are in on the target now: the one they were written into
   * while it is there, else the name finalize renamed it to.
   */
  String standing(Connection target, TableCopy t) throws SQLException {
    String renamed = checks.get(t.table()).renamed();
    return renamed == null || Relations.exists(target, t.quotedTarget()) ? t.quotedTarget() : renamed;
  }

  List<String> checksumColumns(TableCopy t) {
    return checks.get(t.table()).checksumColumns();
  }

  /** Counts {@code t}'s rows whose added column is wrong, under the name {@link #standing} found; null without one. */
  String backfillCheck(TableCopy t, String standing) {
    Check check = checks.get(t.table());
    return standing.equals(t.quotedTarget()) ? check.backfillCheck() : check.renamedBackfillCheck();
  }

  private static Check checkOf(TargetSchema target, Table table) {
    List<String> checksummed = new ArrayList<>();
    for (Column c : table.columns()) {
      if (!c.isGenerated()) {
        String as = c.readAs() != null ? c.readAs() : Sql.ident(c.name());
        // A cast column as COPY converts it: the source type's output (format's %s), the target type's input.
        checksummed.add(c.sourceType() == null ? as
            : "CASE WHEN (" + as + ") IS NULL THEN NULL ELSE format('%s', " + as + ")::" + c.type() + " END");
      }
    }
    Placement placement = target.plan().of(table.name());
    TableName into = target.onTarget(table.name());
    TableName renamed = target.names().of(table.name());
    boolean isRenamed = !renamed.equals(into);
    String backfillCheck = null;
    String renamedBackfillCheck = null;
    if (placement.addsColumn()) {
      ForeignKey first = placement.backfill().hops().get(0);
      Placement parent = target.plan().of(first.referenced());
      backfillCheck = backfillCheck(into, target.onTarget(first.referenced()), placement, first, parent);
      if (isRenamed) {
        renamedBackfillCheck = backfillCheck(renamed, target.names().of(first.referenced()), placement, first, parent);
      }
    }
    return new Check(isRenamed ? renamed.quoted() : null, List.copyOf(checksummed), backfillCheck,
        renamedBackfillCheck);
  }

  /**
   * Counts the rows of {@code table} whose added column differs from the distribution value of the
   * row its first hop references ({@code referenced}), by the names the target has them under.
   */
  private static String backfillCheck(TableName table, TableName referenced, Placement child, ForeignKey hop,
      Placement parent) {
    return "SELECT count(*) FROM ONLY " + table.quoted() + " c" + ForeignKeyJoin.join("JOIN", "c", hop, referenced, "p")
        + " WHERE c." + Sql.ident(child.column()) + " IS DISTINCT FROM p." + Sql.ident(parent.column());
  }
}
