package dev.pg2citus.backfill;

import dev.pg2citus.config.ConnectionSpec;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One backfill side input: reads a hop's key and value columns under the run's snapshot into a
 * {@link KeyMap} ({@link ReadKeyMapFn.AsMap}), composes it with the next hop's map when the path
 * goes on ({@link ComposeFn}), and makes it a singleton view, built once and read by every copy worker.
 *
 * <pre>{@code
 * PCollectionView<KeyMap> campaigns = pipeline.apply(ReadKeyMap.of(campaignsSpec).from(source).inSnapshot(id));
 * PCollectionView<KeyMap> ads = pipeline.apply(ReadKeyMap.of(adsSpec).from(source).inSnapshot(id)
 *     .composedWith(campaigns));
 * }</pre>
 */
public final class ReadKeyMap extends PTransform<PBegin, PCollectionView<KeyMap>> {
  private final KeyMapSpec spec;
  private final ConnectionSpec source;
  private final String snapshot;
  private final PCollectionView<KeyMap> next;

  private ReadKeyMap(KeyMapSpec spec, ConnectionSpec source, String snapshot, PCollectionView<KeyMap> next) {
    this.spec = spec;
    this.source = source;
    this.snapshot = snapshot;
    this.next = next;
  }

  public static ReadKeyMap of(KeyMapSpec spec) {
    return new ReadKeyMap(spec, null, null, null);
  }

  public ReadKeyMap from(ConnectionSpec source) {
    return new ReadKeyMap(spec, source, snapshot, next);
  }

  /** The exported snapshot to read in; null reads the source as it is. */
  public ReadKeyMap inSnapshot(String snapshot) {
    return new ReadKeyMap(spec, source, snapshot, next);
  }

  /** The next hop's map, which this hop's values (foreign keys into it) are looked up in; null at the last hop. */
  public ReadKeyMap composedWith(PCollectionView<KeyMap> next) {
    return new ReadKeyMap(spec, source, snapshot, next);
  }

  @Override
  public PCollectionView<KeyMap> expand(PBegin input) {
    Objects.requireNonNull(source, "ReadKeyMap needs from(source)");
    if ((spec.next() == null) != (next == null)) {
      throw new IllegalArgumentException(spec.id() + ": composedWith(the next hop's map) is needed exactly when the"
          + " path goes on");
    }
    PCollection<KeyMap> map = input
        .apply("Spec", Create.of(List.of(spec)).withCoder(SerializableCoder.of(KeyMapSpec.class)))
        .apply("Read keys", ParDo.of(new ReadKeyMapFn.AsMap(source, snapshot)))
        .setCoder(KeyMap.Coder.of());
    if (next != null) {
      map = map.apply("Compose", ParDo.of(new ComposeFn(next)).withSideInputs(next)).setCoder(KeyMap.Coder.of());
    }
    return map.apply("View", View.asSingleton());
  }
}
