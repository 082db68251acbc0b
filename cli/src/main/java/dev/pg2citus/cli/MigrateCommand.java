package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.pipeline.Migration;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.sql.ServerErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** The whole migration: create, copy the rows with Beam, finalize, verify, summarize. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Run the whole migration: create, the Beam data phase, finalize, verification, summary.",
        "Beam options pass through: --runner=FlinkRunner, --flinkMaster=HOST:PORT (a session cluster; the job",
        "jar pg2citus-job.jar is staged unless --filesToStage names one), --parallelism=N."})
final class MigrateCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions options;

  @Option(names = "--resume", description = "Continue the run recorded on the target: finished partitions are "
      + "skipped, unfinished ones redone.")
  boolean resume;

  @Option(names = "--not-consistent", description = "With --resume: go on even when the source changed since the "
      + "earlier run's snapshot, the partitions it finished holding the source as it was then, the rest as it is now.")
  boolean notConsistent;

  @Option(names = "--data-only", description = "Copy rows into the existing target schema (load.data-only).")
  boolean dataOnly;

  @Option(names = "--schema-only", description = "Create and finalize the schema; copy no rows (load.schema-only).")
  boolean schemaOnly;

  @Option(names = "--rejects-dir", paramLabel = "DIR", defaultValue = "rejects",
      description = "Where rejected rows go: <table>.dat and <table>.log (default: ${DEFAULT-VALUE}).")
  Path rejectsDir;

  @Option(names = "--summary-json", paramLabel = "FILE", defaultValue = "pg2citus-summary.json",
      description = "The summary as JSON (default: ${DEFAULT-VALUE}).")
  Path summaryJson;

  @Option(names = "--progress-seconds", paramLabel = "N", defaultValue = "10",
      description = "Log progress every N seconds (default: ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Unmatched
  List<String> beamArgs = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (notConsistent && !resume) {
      throw new ConfigException(ConfigLocation.commandLine("migrate"), "--not-consistent goes with --resume: a new"
          + " run reads every table under one snapshot");
    }
    try (EmbeddedDefault embedded = options.startEmbedded(true)) {
      if (embedded != null) {
        out.println(embedded.describe());
        embedded.fillSource();
      }
      MigrationConfig loaded = options.load(embedded, out);
      MigrationConfig config = loaded.withLoad(loaded.load().withOnly(dataOnly, schemaOnly));
      MigrationSummary summary = new MigrationSummary();
      try {
        new Migration(config, pipelineOptions(config), new Migration.Options(resume, rejectsDir, progressSeconds,
            options.waitForTarget, notConsistent))
            .run(summary);
      } catch (SQLException e) {
        // The summary and its JSON are written on every exit: what was done, and why the run stopped.
        String remedy = ServerErrors.remedy(e.getSQLState(), "database");
        String resume = summary.phases().isEmpty() ? "" : "; run migrate --resume to continue";
        summary.phase("stopped", 0, List.of(config.source().withoutSecrets(config.target().withoutSecrets(
            e.getMessage())) + " (source " + config.source().address() + ", target " + config.target().address()
            + ")" + (remedy == null ? "" : "; " + remedy) + resume), List.of());
        report(summary, out);
        throw e;
      }
      report(summary, out);
      return switch (summary.outcome()) {
        case COMPLETE -> ExitCodes.OK;
        case ROWS_REJECTED -> ExitCodes.ROWS_REJECTED;
        case NOT_COMPLETE -> ExitCodes.PHASE_ERRORS;
      };
    }
  }

  private void report(MigrationSummary summary, PrintWriter out) throws IOException {
    out.println(summary.render());
    summary.writeJson(summaryJson);
    out.println("summary written to " + summaryJson);
    out.flush();
  }

  /**
   * Beam's options from the pass-through arguments, with pg2citus' defaults: the Direct runner (Flink
   * where it is absent), {@code load.workers} as the parallelism, and the Direct runner's per-element
   * immutability and encodability checks off (they copy every row; tests keep them on), as is Flink's
   * copy of every element between chained operators. A Flink cluster gets the job jar ({@link
   * FlinkSubmission}).
   */
  private PipelineOptions pipelineOptions(MigrationConfig config) {
    List<String> args = new ArrayList<>(beamArgs);
    String workers = String.valueOf(config.load().workers());
    addDefault(args, "--parallelism", workers);
    addDefault(args, "--fasterCopy", "true"); // Flink: no deep copy between operators (no DoFn mutates what it emits)
    if (directRunnerPresent()) {
      addDefault(args, "--targetParallelism", workers);
      addDefault(args, "--enforceImmutability", "false");
      addDefault(args, "--enforceEncodability", "false");
    } else {
      addDefault(args, "--runner", "FlinkRunner"); // the job jar, run by `flink run`, has no Direct runner
    }
    PipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation().create();
    FlinkSubmission.prepare(options);
    return options;
  }

  private static boolean directRunnerPresent() {
    try {
      Class.forName("org.apache.beam.runners.direct.DirectRunner", false, MigrateCommand.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static void addDefault(List<String> args, String name, String value) {
    if (args.stream().noneMatch(a -> a.equals(name) || a.startsWith(name + "="))) {
      args.add(name + "=" + value);
    }
  }
}
