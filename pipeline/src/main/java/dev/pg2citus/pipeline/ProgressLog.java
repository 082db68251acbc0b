package dev.pg2citus.pipeline;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.runrecord.LiveProgress;
import dev.pg2citus.runrecord.RunRecord;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs per table: rows done, rows per second, percent of the estimate. */
final class ProgressLog implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final MigrationConfig config;
  private final long start;

  ProgressLog(MigrationConfig config, long start) {
    this.config = config;
    this.start = start;
  }

  @Override
  public void run() {
    try (Connection target = config.target().open()) {
      double seconds = Math.max(0.001, (System.currentTimeMillis() - start) / 1000.0);
      for (LiveProgress.Table t : RunRecord.on(target).progress().tables()) {
        LOG.info("progress {}: {} rows, {} rows/s, {}% of ~{} ({} of {} partitions done)", t.table(), t.rows(),
            Math.round(t.rows() / seconds), Math.min(100, 100 * t.rows() / Math.max(1, t.estimatedRows())),
            t.estimatedRows(), t.donePartitions(), t.partitions());
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("progress not available: {}", e.getMessage());
    }
  }
}
