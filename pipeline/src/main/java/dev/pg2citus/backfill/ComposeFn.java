package dev.pg2citus.backfill;

import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One hop of a backfill path: turns (key → foreign key into the next table) into (key → value) with
 * the next table's map as a side input. Keys whose foreign key leads nowhere are left out.
 */
public final class ComposeFn extends DoFn<KV<String, String>, KV<String, String>> {
  private final PCollectionView<Map<String, String>> next;

  public ComposeFn(PCollectionView<Map<String, String>> next) {
    this.next = next;
  }

  @ProcessElement
  public void process(ProcessContext context) {
    KV<String, String> pair = context.element();
    String value = context.sideInput(next).get(pair.getValue());
    if (value != null) {
      context.output(KV.of(pair.getKey(), value));
    }
  }
}
