package dev.pg2citus.pipeline;

import dev.pg2citus.catalog.Table;
import dev.pg2citus.config.ConfigOptions.WritePath;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.PostDataRun;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.read.PartitionPlanner;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.runrecord.RunRecord;
import dev.pg2citus.runrecord.RunStep;
import dev.pg2citus.runrecord.SourceState;
import dev.pg2citus.write.ShardWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data phase and finalize beside it: the partitions (planned now, or those a resumed run left)
 * copied by the Beam job under the snapshot, each table's post-data work started as soon as the run
 * record shows its rows are in, then the reject files and the rest of finalize. Records {@code
 * LOADED} and {@code FINALIZED} in the run record as each takes full effect.
 */
final class DataPhase {
  private static final Logger LOG = LoggerFactory.getLogger(DataPhase.class);

  private final MigrationConfig config;
  private final PipelineOptions pipelineOptions;
  private final Migration.Options options;
  private final SchemaTool tool;

  DataPhase(MigrationConfig config, PipelineOptions pipelineOptions, Migration.Options options, SchemaTool tool) {
    this.config = config;
    this.pipelineOptions = pipelineOptions;
    this.options = options;
    this.tool = tool;
  }

  /**
   * The data phase, with post-data beside it from the start; with {@code resumeLoad} only the
   * partitions the record holds as not done, {@code resumedNotes} saying which state of the source
   * they read. When the load fails, the post-data statements running
   * finish and no more start, so a resume later issues the rest. Returns whether both took full effect.
   */
  boolean run(SourceSnapshot snapshot, CopySpecs specs, MigrationSummary summary, boolean resumeLoad,
      List<String> resumedNotes) throws SQLException, IOException {
    long start = System.currentTimeMillis();
    List<Table> leaves = tool.target().catalog().tables().stream().filter(t -> !t.isPartitioned()).toList();
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    notes.add(snapshot.id() == null ? "read without a consistent snapshot (load.consistent-snapshot: false)"
        : "read under snapshot " + snapshot.id());
    try (Connection target = config.target().open()) {
      RunRecord record = RunRecord.on(target);
      List<ReadPartition> partitions;
      if (resumeLoad) {
        partitions = record.queue().pending();
        notes.add("resumed: " + partitions.size() + " partitions left to do");
        notes.addAll(resumedNotes);
      } else {
        partitions = new PartitionPlanner(snapshot.connection(), config.load().partitionsPerTable(),
            config.load().splitThreshold()).plan(leaves);
        // What a resume compares the source with; kept before the queue, which a resume needs to find it.
        SourceState.save(target, snapshot.id(), snapshot.changesBefore());
        record.queue().plan(partitions);
      }
      ShardWrites shards = config.load().writePath() != WritePath.COORDINATOR && !partitions.isEmpty()
          ? ShardWrites.prepare(target, config.target(), specs.tables(), record.runId(),
              config.load().writePath().name().toLowerCase(Locale.ROOT), notes) : ShardWrites.none();
      LOG.info("copying {} tables in {} partitions", leaves.size(), partitions.size());
      try (TablesLoading loading = new TablesLoading(config.target(), leaves);
          PostDataRun postData = tool.startPostData(loading, RunRecord.postData())) {
        String failure = partitions.isEmpty() ? null : copy(snapshot, specs, partitions, shards, start,
            resumeLoad);
        // The launcher's own connection may have been lost while the copy workers rode out an outage:
        // from here on each read or write of the record is on a new connection, waiting for the target.
        notes.addAll(Migration.onTarget(config, "reading the retries", c -> RunRecord.on(c).retries().describe()));
        // The run record, not the runner, says whether every partition committed.
        int left = Migration.onTarget(config, "reading the partitions left",
            c -> RunRecord.on(c).queue().pending().size());
        String notCopied = left == 0 ? null : left + " of " + partitions.size() + " partitions not copied (the"
            + " committed ones are kept): run `migrate --resume` to copy the rest";
        if (failure != null || notCopied != null) {
          errors.add(failure == null ? "the data phase stopped with " + notCopied
              : notCopied == null ? failure : failure + "; " + notCopied);
        }
        if (errors.isEmpty()) {
          postData.loadEnded();
        } else {
          postData.abandon();
        }
        writeRejectFiles(summary);
        summary.phase("data", System.currentTimeMillis() - start, errors, notes);
        if (errors.isEmpty()) {
          Migration.record(config, "recording the data phase as done", r -> r.steps().done(RunStep.LOADED));
        }
        boolean finalized = Migration.phase(summary, () -> tool.finishPostData(postData));
        if (errors.isEmpty() && finalized) {
          Migration.record(config, "recording finalize as done", r -> r.steps().done(RunStep.FINALIZED));
        }
        return errors.isEmpty() && finalized;
      }
    }
  }

  /** The reject files, from the record; written whole again when the connection was lost half-way. */
  private void writeRejectFiles(MigrationSummary summary) throws SQLException, IOException {
    try {
      Migration.onTarget(config, "writing the reject files", c -> {
        try {
          return new RejectFiles(options.rejectsDir()).write(c);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).forEach(summary::rejectFile);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Runs the Beam job over {@code partitions}, logging progress; returns why it failed, or null. */
  private String copy(SourceSnapshot snapshot, CopySpecs specs, List<ReadPartition> partitions, ShardWrites shards,
      long start, boolean resumed) {
    Pipeline pipeline = Pipeline.create(pipelineOptions);
    MigrationPipeline.build(pipeline, config, snapshot.id(), specs, partitions, shards);
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    ProgressLog log = new ProgressLog(config, start, resumed);
    progress.scheduleWithFixedDelay(log::tablesDone, 0, 2, TimeUnit.SECONDS);
    progress.scheduleAtFixedRate(log::progress, options.progressSeconds(), options.progressSeconds(),
        TimeUnit.SECONDS);
    try {
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      return state == PipelineResult.State.DONE ? null : "the Beam job ended " + state + " instead of DONE";
    } catch (RuntimeException e) {
      return rootMessage(e);
    } finally {
      progress.shutdownNow();
      log.tablesDone(); // the last tables, before finalize's line
    }
  }


  /**
   * What went wrong, from the innermost causes up to the first SQLException: a runner's wrappers say
   * little ("Job execution failed"), the last one alone can say too little ("Timeout has occurred"),
   * so the last three distinct messages are kept, outermost first.
   */
  private static String rootMessage(Throwable e) {
    List<String> messages = new ArrayList<>();
    Throwable t = e;
    while (true) {
      Throwable cause = t.getCause() == t ? null : t.getCause();
      String m = t.getMessage();
      // A wrapper's message is often just its cause's toString().
      if (m != null && !m.isBlank() && (cause == null || !m.equals(cause.toString())) && !messages.contains(m)) {
        messages.add(m);
      }
      if (t instanceof SQLException || cause == null) {
        break;
      }
      t = cause;
    }
    if (messages.isEmpty()) {
      return t.toString();
    }
    return String.join(": ", messages.subList(Math.max(0, messages.size() - 3), messages.size()));
  }
}
