package dev.pg2citus.backfill;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One hop of a backfill path: turns (key → foreign key into the next table) into (key → value) with
 * the next table's map as a side input. Keys whose foreign key leads nowhere are left out.
 */
public final class ComposeFn extends DoFn<KeyMap, KeyMap> {
  private final PCollectionView<KeyMap> next;

  public ComposeFn(PCollectionView<KeyMap> next) {
    this.next = next;
  }

  @ProcessElement
  public void process(ProcessContext context) {
    context.output(context.element().compose(context.sideInput(next)));
  }
}
