package dev.pg2citus.backfill;

import dev.pg2citus.read.PartitionRow;
import dev.pg2citus.read.ReadRowsFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The joins of the shuffle fallback, for key maps too large to hold as a side input: both sides
 * are keyed by the foreign key and grouped ({@code CoGroupByKey}), so no worker holds a whole map.
 */
public final class ShuffleJoin {
  private ShuffleJoin() {}

  /** One hop: (key → foreign key) grouped with the next map's (foreign key → value) gives (key → value). */
  public static final class ComposeHopFn extends DoFn<KV<String, CoGbkResult>, KV<String, String>> {
    private final TupleTag<String> keys;
    private final TupleTag<String> values;

    public ComposeHopFn(TupleTag<String> keys, TupleTag<String> values) {
      this.keys = keys;
      this.values = values;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, OutputReceiver<KV<String, String>> out) {
      String value = group.getValue().getOnly(values, null);
      if (value != null) {
        for (String key : group.getValue().getAll(keys)) {
          out.output(KV.of(key, value));
        }
      }
    }
  }

  /**
   * Rows grouped with their key's value: each row goes on towards its partition with the key and
   * the value (null when the key leads nowhere), so the writer can reject it with the reason.
   */
  public static final class JoinRowsFn extends DoFn<KV<String, CoGbkResult>, KV<String, JoinedRow>> {
    private final TupleTag<PartitionRow> rows;
    private final TupleTag<String> values;

    public JoinRowsFn(TupleTag<PartitionRow> rows, TupleTag<String> values) {
      this.rows = rows;
      this.values = values;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, OutputReceiver<KV<String, JoinedRow>> out) {
      boolean nullKey = group.getKey().equals(ReadRowsFn.NULL_KEY);
      String key = nullKey ? null : group.getKey();
      String value = nullKey ? null : group.getValue().getOnly(values, null);
      for (PartitionRow row : group.getValue().getAll(rows)) {
        out.output(KV.of(row.partition(), new JoinedRow(key, value, row.row())));
      }
    }
  }
}
