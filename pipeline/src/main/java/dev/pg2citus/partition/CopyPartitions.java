package dev.pg2citus.partition;

import dev.pg2citus.backfill.KeyMap;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConfigOptions;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.runrecord.PartitionDone;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Copies the partitions of some tables from the source to the target: copy workers spread over
 * the runner's slots take partitions from the run record's queue until none is left, each
 * partition read, backfilled and written in its own {@link PartitionTransaction} ({@link PartitionCopyFn}).
 * The queue must have been filled ({@link dev.pg2citus.runrecord.PartitionQueue#plan}) before the pipeline runs.
 *
 * <p>Use it for tables whose backfill maps fit in memory as side inputs (all of them unless
 * {@code load.side-input-max-keys} says otherwise); it emits what each partition did. Workers and
 * orphan handling default as {@code load.workers} and {@code load.on-orphan} do.
 *
 * <pre>{@code
 * pipeline.apply("Copy partitions", CopyPartitions.of(tables, transaction, retries)
 *     .from(source).to(target).inSnapshot(snapshotId)
 *     .withKeyMaps(views).withWorkers(4).onOrphan(OnOrphan.REJECT));
 * }</pre>
 */
public final class CopyPartitions extends PTransform<PBegin, PCollection<PartitionDone>> {
  /** Workers per slot of parallelism, so that every slot gets one however the runner hashes them onto slots. */
  public static final int WORKERS_PER_SLOT = 4;

  private final List<String> tables;
  private final PartitionTransaction transaction;
  private final RetryPolicy retries;
  private final ConnectionSpec source;
  private final ConnectionSpec target;
  private final String snapshot;
  private final Map<String, PCollectionView<KeyMap>> keyMaps;
  private final int workers;
  private final OnOrphan onOrphan;

  private CopyPartitions(List<String> tables, PartitionTransaction transaction, RetryPolicy retries,
      ConnectionSpec source, ConnectionSpec target, String snapshot, Map<String, PCollectionView<KeyMap>> keyMaps,
      int workers, OnOrphan onOrphan) {
    this.tables = List.copyOf(tables);
    this.transaction = transaction;
    this.retries = retries;
    this.source = source;
    this.target = target;
    this.snapshot = snapshot;
    this.keyMaps = Map.copyOf(keyMaps);
    this.workers = workers;
    this.onOrphan = onOrphan;
  }

  /** Copies the queued partitions of {@code tables} (by run record name), each in a {@code transaction}. */
  public static CopyPartitions of(Collection<String> tables, PartitionTransaction transaction, RetryPolicy retries) {
    return new CopyPartitions(List.copyOf(tables), transaction, retries, null, null, null, Map.of(),
        ConfigOptions.WORKERS.defaultValue(), ConfigOptions.ON_ORPHAN.defaultValue());
  }

  public CopyPartitions from(ConnectionSpec source) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  /** The target, which also holds the run record and its queue. */
  public CopyPartitions to(ConnectionSpec target) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  /** The exported snapshot every read imports; null reads the source as it is. */
  public CopyPartitions inSnapshot(String snapshot) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  /** The side inputs of the tables' backfill maps, by map id. */
  public CopyPartitions withKeyMaps(Map<String, PCollectionView<KeyMap>> keyMaps) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  /** The runner's parallelism: partitions copied at once. */
  public CopyPartitions withWorkers(int workers) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  /** What happens to a row whose distribution value cannot be found. */
  public CopyPartitions onOrphan(OnOrphan onOrphan) {
    return new CopyPartitions(tables, transaction, retries, source, target, snapshot, keyMaps, workers, onOrphan);
  }

  @Override
  public PCollection<PartitionDone> expand(PBegin input) {
    Objects.requireNonNull(source, "CopyPartitions needs from(source)");
    Objects.requireNonNull(target, "CopyPartitions needs to(target)");
    List<Integer> workerNumbers = IntStream.range(0, WORKERS_PER_SLOT * workers).boxed().toList();
    return input
        .apply("Workers", Create.of(workerNumbers).withCoder(VarIntCoder.of()))
        .apply("Spread", Reshuffle.viaRandomKey())
        .apply("Copy", ParDo.of(
            new PartitionCopyFn(source, target, snapshot, tables, keyMaps, onOrphan, transaction, retries))
            .withSideInputs(new ArrayList<PCollectionView<?>>(keyMaps.values())));
  }
}
