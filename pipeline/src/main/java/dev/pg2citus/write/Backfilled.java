package dev.pg2citus.write;

import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Gives rows whose distribution column is added to the sink: with the value found for their
 * foreign key in front, or, when there is none, rejected with why (or stopping the run, with
 * {@code load.on-orphan: stop}). Never dropped.
 */
final class Backfilled {
  private final TableCopy.Backfill backfill;
  private final OnOrphan onOrphan;
  private final ReadPartition partition;
  private final KeyMap map;
  private final int[] starts;
  private final int[] ends;

  /** Rows looked up in {@code map}, the side input, where they stand in the row. */
  Backfilled(TableCopy.Backfill backfill, KeyMap map, OnOrphan onOrphan, ReadPartition partition) {
    this.backfill = backfill;
    this.onOrphan = onOrphan;
    this.partition = partition;
    this.map = map;
    this.starts = new int[CopyText.fieldsNeeded(backfill.keyFields())];
    this.ends = new int[starts.length];
  }

  /** Looks the row's foreign key up in the map and gives the row on. */
  void give(CopySink sink, byte[] row) throws SQLException {
    int[] keyFields = backfill.keyFields();
    if (CopyText.fieldBounds(row, starts, ends) < starts.length) {
      throw new SQLException(partition + ": a source row has fewer than " + starts.length + " fields");
    }
    if (CopyText.anyNull(row, starts, ends, keyFields)) {
      orphan(sink, row, null, backfill, onOrphan, partition);
      return;
    }
    int entry = map.find(row, starts, ends, keyFields);
    if (entry >= 0) {
      sink.add(map.data(), map.valueStart(entry), map.valueLength(entry), row);
    } else {
      orphan(sink, row, CopyText.fields(row, keyFields), backfill, onOrphan, partition);
    }
  }

  /**
   * Gives a row whose key and value the shuffle join found.
   *
   * @param key the row's foreign-key fields, or null when one is NULL
   * @param value the distribution value found for the key, or null when there is none
   */
  static void give(CopySink sink, byte[] row, String key, String value, TableCopy.Backfill backfill,
      OnOrphan onOrphan, ReadPartition partition) throws SQLException {
    if (value != null) {
      byte[] head = value.getBytes(StandardCharsets.UTF_8);
      sink.add(head, 0, head.length, row);
    } else {
      orphan(sink, row, key, backfill, onOrphan, partition);
    }
  }

  private static void orphan(CopySink sink, byte[] row, String key, TableCopy.Backfill backfill, OnOrphan onOrphan,
      ReadPartition partition) throws SQLException {
    String reason = key == null
        ? "the foreign key is NULL, so no distribution value can be found along " + backfill.path()
        : "the foreign key (" + key.replace('\t', ',') + ") leads to no distribution value along " + backfill.path();
    if (onOrphan == OnOrphan.STOP) {
      throw new SQLException(partition + ": " + reason + " (load.on-orphan: stop)");
    }
    sink.reject(row, reason);
  }
}
