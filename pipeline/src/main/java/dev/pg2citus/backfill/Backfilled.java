package dev.pg2citus.backfill;

import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.write.RowSink;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Where the backfilled value is joined: one partition's rows, whose distribution column is added,
 * given to the sink with the value found for their foreign key in front, or, when there is none,
 * rejected with why (or stopping the run, with {@code load.on-orphan: stop}). Never dropped.
 *
 * <p>On the side-input path the row's key is looked up in the {@link KeyMap} where it stands in
 * the row, without copying it; on the shuffle path {@link ShuffleJoin} found the value already
 * and the row arrives as a {@link JoinedRow}.
 */
public final class Backfilled {
  private final TableCopy.Backfill backfill;
  private final OnOrphan onOrphan;
  private final ReadPartition partition;
  private final KeyMap map;
  private final int[] starts;
  private final int[] ends;

  /**
   * @param backfill how the table's added column is found
   * @param map the side input to look keys up in, or null for rows the shuffle joined
   */
  public Backfilled(TableCopy.Backfill backfill, KeyMap map, OnOrphan onOrphan, ReadPartition partition) {
    this.backfill = backfill;
    this.onOrphan = onOrphan;
    this.partition = partition;
    this.map = map;
    this.starts = new int[CopyText.fieldsNeeded(backfill.keyFields())];
    this.ends = new int[starts.length];
  }

  /** Looks the source row's foreign key up in the map and gives the row on. */
  public void give(RowSink sink, byte[] row) throws SQLException {
    int[] keyFields = backfill.keyFields();
    if (CopyText.fieldBounds(row, starts, ends) < starts.length) {
      throw new SQLException(partition + ": a source row has fewer than " + starts.length + " fields");
    }
    if (CopyText.anyNull(row, starts, ends, keyFields)) {
      orphan(sink, row, null);
      return;
    }
    int entry = map.find(row, starts, ends, keyFields);
    if (entry >= 0) {
      sink.add(map.data(), map.valueStart(entry), map.valueLength(entry), row);
    } else {
      orphan(sink, row, CopyText.fields(row, keyFields));
    }
  }

  /** Gives a row whose key and value the shuffle join found (the value null when there is none). */
  public void give(RowSink sink, JoinedRow joined) throws SQLException {
    if (joined.value() != null) {
      byte[] head = joined.value().getBytes(StandardCharsets.UTF_8);
      sink.add(head, 0, head.length, joined.row());
    } else {
      orphan(sink, joined.row(), joined.key());
    }
  }

  /** @param key the row's foreign-key fields, or null when one is NULL */
  private void orphan(RowSink sink, byte[] row, String key) throws SQLException {
    String reason = key == null
        ? "the foreign key is NULL, so no distribution value can be found along " + backfill.path()
        : "the foreign key (" + key.replace('\t', ',') + ") leads to no distribution value along " + backfill.path();
    if (onOrphan == OnOrphan.STOP) {
      throw new SQLException(partition + ": " + reason + " (load.on-orphan: stop)");
    }
    sink.reject(row, reason);
  }
}
