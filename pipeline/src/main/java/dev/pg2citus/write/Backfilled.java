package dev.pg2citus.write;

import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import java.sql.SQLException;

/** Gives a row whose distribution column is added to the sink: with its value in front, or rejected with why. */
final class Backfilled {
  private Backfilled() {}

  /**
   * @param key the row's foreign-key fields, or null when one is NULL
   * @param value the distribution value found for the key, or null when there is none
   */
  static void give(CopySink sink, byte[] row, String key, String value, TableCopy.Backfill backfill,
      OnOrphan onOrphan, ReadPartition partition) throws SQLException {
    if (value != null) {
      sink.add(CopyText.prepend(value, row));
      return;
    }
    String reason = key == null
        ? "the foreign key is NULL, so no distribution value can be found along " + backfill.path()
        : "the foreign key (" + key.replace('\t', ',') + ") leads to no distribution value along " + backfill.path();
    if (onOrphan == OnOrphan.STOP) {
      throw new SQLException(partition + ": " + reason + " (load.on-orphan: stop)");
    }
    sink.reject(row, reason);
  }
}
