package dev.pg2citus.pipeline;

import dev.pg2citus.backfill.JoinedRow;
import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.backfill.KeyMapSpec;
import dev.pg2citus.backfill.ReadKeyMap;
import dev.pg2citus.backfill.ReadKeyMapFn;
import dev.pg2citus.backfill.ShuffleJoin;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.partition.CopyPartitions;
import dev.pg2citus.partition.PartitionCopyFn;
import dev.pg2citus.partition.PartitionTransaction;
import dev.pg2citus.partition.RetryPolicy;
import dev.pg2citus.partition.WriteGroupedFn;
import dev.pg2citus.read.PartitionRow;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.ReadRowsFn;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.write.ShardWrites;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Beam graph of the data phase. Most tables take the direct path; a table whose backfill map
 * is estimated above {@code load.side-input-max-keys} takes the shuffle path:
 *
 * <pre>
 *   direct:  CopyPartitions: Create(copy workers) → Reshuffle → PartitionCopyFn(side inputs: key maps),
 *            each worker taking partitions from the run record's queue, smallest first
 *            key map: ReadKeyMap: Create(spec) → ReadKeyMapFn.AsMap → [ComposeFn(next map)] → View.asSingleton
 *   shuffle: Create(partitions) → Reshuffle → ReadRowsFn ─┐
 *            key pairs: ReadKeyMapFn.AsPairs → [CoGroupByKey hops] ┴→ CoGroupByKey → JoinRowsFn
 *            → GroupByKey(partition) → WriteGroupedFn
 * </pre>
 *
 * <p>Either way a partition is written in one {@link PartitionTransaction}, retried by one {@link
 * RetryPolicy}; on the direct path {@link PartitionCopyFn} reads its rows and joins them with the side input.
 */
public final class MigrationPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationPipeline.class);
  private static final KvCoder<String, String> PAIR = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
  private static final KvCoder<String, JoinedRow> JOINED = KvCoder.of(StringUtf8Coder.of(), JoinedRow.Coder.of());

  private final Pipeline pipeline;
  private final MigrationConfig config;
  private final String snapshot;
  private final CopySpecs specs;
  private final ShardWrites shards;
  private final Map<String, TableCopy> tables = new LinkedHashMap<>();
  private final Map<String, PCollectionView<KeyMap>> views = new LinkedHashMap<>();
  private final Map<String, PCollection<KV<String, String>>> shuffledPairs = new LinkedHashMap<>();

  private MigrationPipeline(Pipeline pipeline, MigrationConfig config, String snapshot, CopySpecs specs,
      ShardWrites shards) {
    this.pipeline = pipeline;
    this.config = config;
    this.snapshot = snapshot;
    this.specs = specs;
    this.shards = shards;
    specs.tables().forEach(t -> tables.put(t.table(), t));
  }

  /**
   * Adds the data phase for {@code partitions} to {@code pipeline}; the tables of {@code shards} are
   * written straight into their shards, the others through the coordinator.
   */
  public static void build(Pipeline pipeline, MigrationConfig config, String snapshot, CopySpecs specs,
      List<ReadPartition> partitions, ShardWrites shards) {
    new MigrationPipeline(pipeline, config, snapshot, specs, shards).build(partitions);
  }

  /** Whether a table's backfill map is too large for a side input. */
  static boolean shuffles(TableCopy table, int sideInputMaxKeys) {
    return table.backfill() != null && table.backfill().estimatedKeys() >= sideInputMaxKeys;
  }

  private void build(List<ReadPartition> partitions) {
    int maxKeys = config.load().sideInputMaxKeys();
    List<ReadPartition> direct = new ArrayList<>();
    Map<String, List<ReadPartition>> byMap = new LinkedHashMap<>();
    for (ReadPartition p : partitions) {
      TableCopy t = tables.get(p.table());
      if (shuffles(t, maxKeys)) {
        byMap.computeIfAbsent(t.backfill().mapId(), k -> new ArrayList<>()).add(p);
      } else {
        direct.add(p);
      }
    }
    MigrationConfig.Load load = config.load();
    PartitionTransaction transaction = new PartitionTransaction(tables, load.onError(), load.batchRows(),
        load.batchBytes(), shards);
    RetryPolicy retries = new RetryPolicy(load.partitionRetries(), load.retryBackoff(), load.outageWait());
    if (!direct.isEmpty()) {
      Map<String, TableCopy> queued = new LinkedHashMap<>();
      direct.forEach(p -> queued.put(p.table(), tables.get(p.table())));
      queued.values().stream().map(TableCopy::backfill).filter(b -> b != null).map(TableCopy.Backfill::mapId)
          .distinct().forEach(this::view);
      pipeline.apply("Copy partitions", CopyPartitions.of(queued.keySet(), transaction, retries)
          .from(config.source()).to(config.target()).inSnapshot(snapshot)
          .withKeyMaps(views).withWorkers(load.workers()).onOrphan(load.onOrphan()));
    }
    if (!byMap.isEmpty()) {
      if (pipeline.getOptions().getRunner().getSimpleName().equals("DirectRunner")) {
        LOG.warn("{} partitions are backfilled by a shuffle, which the Direct runner holds in memory:"
            + " run large migrations on Flink (--runner=FlinkRunner)", byMap.values().stream().mapToInt(List::size).sum());
      }
      shuffle(byMap, transaction, retries);
    }
  }

  private PCollection<ReadPartition> spread(String name, List<ReadPartition> partitions) {
    return pipeline
        .apply(name, Create.of(partitions).withCoder(SerializableCoder.of(ReadPartition.class)))
        .apply(name + "/spread", Reshuffle.viaRandomKey());
  }

  /** The side input of map {@code id}: one {@link KeyMap}, composed with the maps after it. */
  private PCollectionView<KeyMap> view(String id) {
    PCollectionView<KeyMap> existing = views.get(id);
    if (existing != null) {
      return existing;
    }
    KeyMapSpec spec = specs.keyMaps().get(id);
    PCollectionView<KeyMap> next = spec.next() == null ? null : view(spec.next());
    PCollectionView<KeyMap> view = pipeline.apply("Backfill map " + (views.size() + 1) + " " + id,
        ReadKeyMap.of(spec).from(config.source()).inSnapshot(snapshot).composedWith(next));
    views.put(id, view);
    return view;
  }

  /** The pairs of map {@code id}, for the shuffle join. */
  private PCollection<KV<String, String>> read(KeyMapSpec spec, String name) {
    return pipeline
        .apply(name + " " + spec.id(), Create.of(spec).withCoder(SerializableCoder.of(KeyMapSpec.class)))
        .apply("Read key pairs " + spec.id(), ParDo.of(new ReadKeyMapFn.AsPairs(config.source(), snapshot)))
        .setCoder(PAIR);
  }

  /** Map {@code id} as pairs, its hops composed by shuffles rather than side inputs. */
  private PCollection<KV<String, String>> shuffled(String id) {
    PCollection<KV<String, String>> existing = shuffledPairs.get(id);
    if (existing != null) {
      return existing;
    }
    KeyMapSpec spec = specs.keyMaps().get(id);
    PCollection<KV<String, String>> pairs = read(spec, "Shuffled map " + (shuffledPairs.size() + 1));
    if (spec.next() != null) {
      TupleTag<String> keys = new TupleTag<>();
      TupleTag<String> values = new TupleTag<>();
      PCollection<KV<String, String>> byForeignKey = pairs.apply("Key by next " + id,
          MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
              .via((KV<String, String> kv) -> KV.of(kv.getValue(), kv.getKey())));
      pairs = KeyedPCollectionTuple.of(keys, byForeignKey).and(values, shuffled(spec.next()))
          .apply("Join hop " + id, CoGroupByKey.create())
          .apply("Compose hop " + id, ParDo.of(new ShuffleJoin.ComposeHopFn(keys, values)))
          .setCoder(PAIR);
    }
    shuffledPairs.put(id, pairs);
    return pairs;
  }

  private void shuffle(Map<String, List<ReadPartition>> byMap, PartitionTransaction transaction,
      RetryPolicy retries) {
    List<ReadPartition> all = new ArrayList<>();
    List<PCollection<KV<String, JoinedRow>>> parts = new ArrayList<>();
    for (var entry : byMap.entrySet()) {
      String id = entry.getKey();
      all.addAll(entry.getValue());
      TupleTag<PartitionRow> rows = new TupleTag<>();
      TupleTag<String> values = new TupleTag<>();
      PCollection<KV<String, PartitionRow>> keyed = spread("Shuffled partitions " + id, entry.getValue())
          .apply("Read rows " + id, ParDo.of(new ReadRowsFn(config.source(), snapshot, tables)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), PartitionRow.Coder.of()));
      parts.add(KeyedPCollectionTuple.of(rows, keyed).and(values, shuffled(id))
          .apply("Join rows " + id, CoGroupByKey.create())
          .apply("Attach values " + id, ParDo.of(new ShuffleJoin.JoinRowsFn(rows, values)))
          .setCoder(JOINED));
    }
    parts.add(pipeline
        .apply("Partition starts", Create.of(all).withCoder(SerializableCoder.of(ReadPartition.class)))
        .apply("Start partitions", MapElements.into(JOINED.getEncodedTypeDescriptor())
            .via((ReadPartition p) -> KV.of(ReadRowsFn.key(p), JoinedRow.partitionStart())))
        .setCoder(JOINED));
    MigrationConfig.Load load = config.load();
    ConnectionSpec target = config.target();
    PCollectionList.of(parts)
        .apply("Flatten joined rows", Flatten.pCollections())
        .apply("Group by partition", GroupByKey.create())
        .apply("Write grouped partitions",
            ParDo.of(new WriteGroupedFn(target, all, load.onOrphan(), transaction, retries)));
  }
}
