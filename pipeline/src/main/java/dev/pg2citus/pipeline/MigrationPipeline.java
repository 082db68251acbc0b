package dev.pg2citus.pipeline;

import dev.pg2citus.backfill.ComposeFn;
import dev.pg2citus.backfill.KeyMapSpec;
import dev.pg2citus.backfill.ReadKeyMapFn;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.write.PartitionCommit;
import dev.pg2citus.write.PartitionCopyFn;
import dev.pg2citus.write.TableCopy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The Beam graph of the data phase:
 *
 * <pre>
 *   key maps:   Create(spec) → ReadKeyMapFn → [ComposeFn(next map)] → View.asMap   (one per backfill hop)
 *   partitions: Create(partitions) → Reshuffle → PartitionCopyFn(side inputs: key maps)
 * </pre>
 *
 * <p>Rows are read, backfilled and written inside {@link PartitionCopyFn}, one partition at a time:
 * where a table's rows are read, joined and written is that one class.
 */
public final class MigrationPipeline {
  private MigrationPipeline() {}

  /** Adds the data phase to {@code pipeline}. */
  public static void build(Pipeline pipeline, MigrationConfig config, String snapshot, CopySpecs specs,
      List<ReadPartition> partitions) {
    Map<String, PCollectionView<Map<String, String>>> views = new LinkedHashMap<>();
    int n = 0;
    for (KeyMapSpec spec : specs.keyMaps().values()) {
      String name = "Backfill map " + (++n) + " " + spec.id();
      PCollection<KV<String, String>> pairs = pipeline
          .apply(name + "/spec", Create.of(spec).withCoder(SerializableCoder.of(KeyMapSpec.class)))
          .apply(name + "/read keys", ParDo.of(new ReadKeyMapFn(config.source(), snapshot)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
      if (spec.next() != null) {
        PCollectionView<Map<String, String>> next = views.get(spec.next());
        pairs = pairs.apply(name + "/compose", ParDo.of(new ComposeFn(next)).withSideInputs(next));
      }
      views.put(spec.id(), pairs.apply(name + "/view", View.asMap()));
    }

    Map<String, TableCopy> tables = new LinkedHashMap<>();
    specs.tables().forEach(t -> tables.put(t.table(), t));
    MigrationConfig.Load load = config.load();
    pipeline
        .apply("Partitions", Create.of(partitions).withCoder(SerializableCoder.of(ReadPartition.class)))
        .apply("Spread partitions", Reshuffle.viaRandomKey())
        .apply("Copy partitions", ParDo.of(new PartitionCopyFn(config.source(), config.target(), snapshot, tables,
                views, load.onOrphan(), new PartitionCommit(load.onError(), load.batchRows(), load.batchBytes())))
            .withSideInputs(new ArrayList<PCollectionView<?>>(views.values())));
  }
}
