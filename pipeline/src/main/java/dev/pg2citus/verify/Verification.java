package dev.pg2citus.verify;

import dev.pg2citus.config.ConfigOptions.Verify;
import dev.pg2citus.config.ConfigOptions.WritePath;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.MigrationSummary.Check;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.ShardLedger;
import dev.pg2citus.runrecord.TableTotals;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verification, the last step of a migration: each table counted in the source snapshot and on the
 * target, so that source = written + rejected and the target holds exactly what was written; with
 * {@code load.verify: checksums} an order-independent checksum of every column too, and after a
 * resume (two snapshots) every added distribution column checked against the row it references
 * ({@link TableChecks} builds what it reads of each table); every table written straight into its
 * shards gets the placement check ({@link PlacementCheck}).
 */
public final class Verification {
  private final MigrationConfig config;
  private final TableChecks checks;
  private final boolean resumed;

  /** @param resumed whether the run was resumed, so that its tables were read under two snapshots */
  public Verification(MigrationConfig config, TargetSchema target, boolean resumed) {
    this.config = config;
    this.checks = new TableChecks(target);
    this.resumed = resumed;
  }

  /** Counts each table on both sides: the source inside the snapshot, so the counts are of the copied moment. */
  public void run(SourceSnapshot snapshot, List<TableCopy> tables, MigrationSummary summary) throws SQLException {
    long start = System.currentTimeMillis();
    List<String> notes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try (Connection target = config.target().open()) {
      Map<String, TableTotals> totals =
          RunRecord.on(target).queue().totals(tables.stream().map(TableCopy::table).toList());
      boolean checksums = config.load().verify() == Verify.CHECKSUMS;
      // A resumed run read its tables under two snapshots: check each added column against its parent.
      boolean backfill = checksums || resumed;
      try (Statement st = target.createStatement()) {
        st.execute("SET citus.enable_repartition_joins = on"); // a placeholder setting where Citus is absent
      }
      for (TableCopy t : tables) {
        TableTotals done = totals.get(t.table());
        String standing = checks.standing(target, t);
        // With rejects the sides differ by design; the reject files account for the difference.
        Check match = Check.NOT_CHECKED;
        if (checksums && done.rowsRejected() == 0) {
          String source = sourceChecksum(snapshot.connection(), t, checks.checksumColumns(t), notes);
          match = source == null ? Check.NOT_CHECKED
              : source.equals(checksum(target, standing, t.sourceColumns())) ? Check.MATCH : Check.DIFFER;
        }
        OptionalLong mismatches = backfill && t.backfill() != null
            ? OptionalLong.of(scalar(target, checks.backfillCheck(t, standing))) : OptionalLong.empty();
        summary.table(new MigrationSummary.TableRow(t.table(), count(snapshot.connection(), t.quotedTable()),
            done.rowsRead(), done.rowsWritten(), done.rowsRejected(), count(target, standing), done.bytes(),
            done.millis(), match, mismatches));
      }
      if (config.load().writePath() != WritePath.COORDINATOR) {
        checkPlacements(target, tables, errors, notes);
      }
    }
    summary.phase("verify", System.currentTimeMillis() - start, errors, notes);
  }

  /**
   * The placement check ({@link PlacementCheck}) of every table this run wrote straight into its
   * shards, as the workers' ledgers name them (a resumed run's earlier attempts included): each shard
   * holding rows outside its hash range is an error naming the table, the shard and the count.
   */
  private void checkPlacements(Connection target, List<TableCopy> tables, List<String> errors, List<String> notes)
      throws SQLException {
    if (scalar(target, "SELECT (to_regclass('pg_catalog.pg_dist_node') IS NOT NULL)::int") == 0) {
      return;
    }
    String runId = RunRecord.on(target).runId();
    Set<String> written = new TreeSet<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND isactive")) {
      while (rs.next()) {
        try (Connection node = config.target().openNode(rs.getString(1), rs.getInt(2))) {
          written.addAll(ShardLedger.tables(node, runId));
        }
      }
    }
    int checked = 0;
    int shards = 0;
    int before = errors.size();
    for (TableCopy t : tables) {
      if (!written.contains(t.table())) {
        continue;
      }
      Optional<PlacementCheck.Result> result = PlacementCheck.check(target, config.target(), checks.standing(target, t));
      if (result.isEmpty()) {
        notes.add(t.table() + ": placement not checked: its shards are no longer one placement each");
        continue;
      }
      checked++;
      shards += result.get().shards();
      result.get().misplaced().forEach(m -> errors.add(t.table() + ": " + m));
    }
    if (checked > 0) {
      notes.add("placement checked: " + checked + " tables written straight into their shards, " + shards
          + " shards on their workers: " + (errors.size() == before ? "every row lies in its shard's hash range"
          : (errors.size() - before) + " shards hold rows outside their range"));
    }
  }

  /**
   * An order-independent checksum of the columns' text: the sum of each row's md5, cut to 64 bits;
   * the source's as the copy reads them ({@code using} transforms applied) and the target types print
   * them. Both sides' sessions come from this JVM, so time zone and float output settings agree.
   */
  private static String checksum(Connection c, String quotedTable, List<String> columns) throws SQLException {
    String sql = "SELECT coalesce(sum(('x' || left(md5(ROW(" + String.join(", ", columns)
        + ")::text), 16))::bit(64)::bigint), 0)::text FROM ONLY " + quotedTable;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * The source's checksum, or null with a note when the source cannot read a cast column as the
   * target type (a type only the target has); a savepoint keeps the snapshot's transaction usable.
   */
  private static String sourceChecksum(Connection source, TableCopy t, List<String> columns, List<String> notes)
      throws SQLException {
    Savepoint before = source.setSavepoint();
    try {
      String sum = checksum(source, t.quotedTable(), columns);
      source.releaseSavepoint(before);
      return sum;
    } catch (SQLException e) {
      source.rollback(before);
      notes.add("checksums of " + t.table() + " not compared: the source cannot read its cast columns as the target"
          + " types (" + e.getMessage().lines().findFirst().orElse("") + ")");
      return null;
    }
  }

  private static long count(Connection c, String quotedTable) throws SQLException {
    return scalar(c, "SELECT count(*) FROM ONLY " + quotedTable);
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

}
