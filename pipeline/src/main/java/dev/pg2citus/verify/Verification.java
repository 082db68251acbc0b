package dev.pg2citus.verify;

import dev.pg2citus.config.ConfigOptions.Verify;
import dev.pg2citus.config.ConfigOptions.WritePath;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.OutageWait;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.report.MigrationSummary.Check;
import dev.pg2citus.report.MigrationSummary.TableRow;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.ShardLedger;
import dev.pg2citus.runrecord.TableTotals;
import dev.pg2citus.sql.ServerErrors;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification, the last step of a migration: each table counted in the source snapshot and on the
 * target, so that source = written + rejected and the target holds exactly what was written; with
 * {@code load.verify: checksums} an order-independent checksum of every column too, and after a
 * resume (two snapshots) every added distribution column checked against the row it references
 * ({@link TableChecks} builds what it reads of each table); every table written straight into its
 * shards gets the placement check ({@link PlacementCheck}).
 */
public final class Verification {
  private static final Logger LOG = LoggerFactory.getLogger(Verification.class);
  /** What to do when verification cannot finish: the rows are in, a resume verifies again. */
  private static final String AGAIN = "the rows are copied; run migrate --resume to verify again (once the cause"
      + " is fixed)";
  private final MigrationConfig config;
  private final TableChecks checks;
  private final boolean resumed;
  private Connection target;

  /** @param resumed whether the run was resumed, so that its tables were read under two snapshots */
  public Verification(MigrationConfig config, TargetSchema target, boolean resumed) {
    this.config = config;
    this.checks = new TableChecks(target);
    this.resumed = resumed;
  }

  /**
   * Counts each table on both sides: the source inside the snapshot, so the counts are of the copied
   * moment. A lost target connection (a node restarting) is waited for ({@code load.outage-wait}) and
   * the table checked again; a lost source connection loses the snapshot, and a resume verifies again.
   */
  public void run(SourceSnapshot snapshot, List<TableCopy> tables, MigrationSummary summary) throws SQLException {
    long start = System.currentTimeMillis();
    List<String> notes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    OutageWait outage = OutageWait.of(config);
    try {
      Map<String, TableTotals> totals = outage.ride("verification", AGAIN,
          () -> onTarget(c -> RunRecord.on(c).queue().totals(tables.stream().map(TableCopy::table).toList())));
      boolean checksums = config.load().verify() == Verify.CHECKSUMS;
      // A resumed run read its tables under two snapshots: check each added column against its parent.
      boolean backfill = checksums || resumed;
      for (TableCopy t : tables) {
        TableTotals done = totals.get(t.table());
        long sourceRows;
        String sourceSum = null;
        try {
          sourceRows = count(snapshot.connection(), t.quotedTable());
          // With rejects the sides differ by design; the reject files account for the difference.
          if (checksums && done.rowsRejected() == 0) {
            sourceSum = sourceChecksum(snapshot.connection(), t, checks.checksumColumns(t), notes);
          }
        } catch (SQLException e) {
          throw new SQLException("verification of " + t.table() + " failed on the source "
              + config.source().address() + ": " + config.source().withoutSecrets(e.getMessage()) + "; " + AGAIN,
              e.getSQLState(), e);
        }
        String source = sourceSum;
        summary.table(checkTarget(outage, t, () -> onTarget(target -> {
          String standing = checks.standing(target, t);
          Check match = source == null ? Check.NOT_CHECKED
              : source.equals(checksum(target, standing, t.sourceColumns())) ? Check.MATCH : Check.DIFFER;
          OptionalLong mismatches = backfill && t.backfill() != null
              ? OptionalLong.of(scalar(target, checks.backfillCheck(t, standing))) : OptionalLong.empty();
          return new TableRow(t.table(), sourceRows, done.rowsRead(), done.rowsWritten(),
              done.rowsRejected(), count(target, standing), done.bytes(), done.millis(), match, mismatches);
        })));
      }
      if (config.load().writePath() != WritePath.COORDINATOR) {
        List<List<String>> placement = outage.ride("the placement check", AGAIN, () -> onTarget(target -> {
          List<String> found = new ArrayList<>();
          List<String> said = new ArrayList<>();
          checkPlacements(target, tables, found, said);
          return List.of(found, said);
        }));
        errors.addAll(placement.get(0));
        notes.addAll(placement.get(1));
      }
    } finally {
      closeTarget();
    }
    long millis = System.currentTimeMillis() - start;
    summary.phase("verify", millis, errors, notes);
    LOG.info("verify: {} of {} tables check out, in {}", summary.tables().stream()
        .filter(MigrationSummary.TableRow::consistent).count(), summary.tables().size(), MigrationSummary.seconds(millis));
  }

  /**
   * The target's side of checking {@code t}, waiting out a lost connection; any other error names
   * the table and says what to do.
   */
  private TableRow checkTarget(OutageWait outage, TableCopy t, OutageWait.Work<TableRow> work) throws SQLException {
    String what = "verification of " + t.table();
    try {
      return outage.ride(what, AGAIN, work);
    } catch (SQLException e) {
      if (ServerErrors.isConnectionLoss(e)) {
        throw e; // the wait is over: the ride's message names the table
      }
      throw new SQLException(what + " failed on the target " + config.target().address() + ": "
          + config.target().withoutSecrets(e.getMessage()) + "; " + AGAIN, e.getSQLState(), e);
    }
  }

  /** Work on the target connection; an error closes it, so that the next try opens a new one. */
  private <T> T onTarget(OutageWait.OnConnection<T> work) throws SQLException {
    try {
      return work.run(target());
    } catch (SQLException e) {
      closeTarget();
      throw e;
    }
  }

  private Connection target() throws SQLException {
    if (target == null) {
      target = config.target().open();
      try (Statement st = target.createStatement()) {
        st.execute("SET citus.enable_repartition_joins = on"); // a placeholder setting where Citus is absent
      } catch (SQLException e) {
        closeTarget();
        throw e;
      }
    }
    return target;
  }

  private void closeTarget() {
    try {
      if (target != null) {
        target.close();
      }
    } catch (SQLException e) {
      LOG.debug("verification: closing a lost connection: {}", e.getMessage());
    } finally {
      target = null;
    }
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
