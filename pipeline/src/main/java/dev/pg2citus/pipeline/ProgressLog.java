package dev.pg2citus.pipeline;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.runrecord.LiveProgress;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.TableTotals;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data phase in the log, read from the run record (so on every runner): a line per table once
 * all its partitions are in, and every few seconds the rows so far of the estimate, per table at DEBUG.
 */
final class ProgressLog {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final MigrationConfig config;
  private final long start;
  private final Set<String> reported = new HashSet<>();
  /** False until the tables an earlier run finished are known: those are not logged as done now. */
  private boolean seeded;
  /** The rows of the last progress line: a line that would say the same is left out. */
  private long lastRows = -1;

  ProgressLog(MigrationConfig config, long start, boolean resumed) {
    this.config = config;
    this.start = start;
    this.seeded = !resumed;
  }

  /** Logs each table whose partitions are all done, once. */
  synchronized void tablesDone() {
    try (Connection target = config.target().open()) {
      for (TableTotals t : RunRecord.on(target).queue().tablesDone()) {
        if (reported.add(t.table()) && seeded) {
          LOG.info("{}: {} rows, {} in {}{}", t.table(), t.rowsWritten(), MigrationSummary.bytes(t.bytes()),
              MigrationSummary.seconds(t.millis()), t.rowsRejected() == 0 ? "" : ", " + t.rowsRejected() + " rejected");
        }
      }
      seeded = true;
    } catch (SQLException | RuntimeException e) {
      LOG.debug("tables done not available: {}", e.getMessage());
    }
  }

  /** Logs the rows so far: all tables in one line, each table still loading at DEBUG. */
  void progress() {
    try (Connection target = config.target().open()) {
      RunRecord record = RunRecord.on(target);
      List<LiveProgress.Table> loading = record.progress().tables();
      List<TableTotals> done = record.queue().tablesDone();
      long doneRows = done.stream().mapToLong(TableTotals::rowsWritten).sum();
      long rows = doneRows + loading.stream().mapToLong(LiveProgress.Table::rows).sum();
      long estimate = doneRows + loading.stream().mapToLong(LiveProgress.Table::estimatedRows).sum();
      double seconds = Math.max(0.001, (System.currentTimeMillis() - start) / 1000.0);
      if (rows != lastRows) {
        LOG.info("data: {} of ~{} rows ({}%), {} rows/s; {} of {} tables loaded", rows, estimate,
            Math.min(100, 100 * rows / Math.max(1, estimate)), Math.round(rows / seconds),
            done.size(), done.size() + loading.size());
        lastRows = rows;
      }
      for (LiveProgress.Table t : loading) {
        LOG.debug("progress {}: {} rows, {}% of ~{} ({} of {} partitions done)", t.table(), t.rows(),
            Math.min(100, 100 * t.rows() / Math.max(1, t.estimatedRows())), t.estimatedRows(), t.donePartitions(),
            t.partitions());
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("progress not available: {}", e.getMessage());
    }
  }
}
