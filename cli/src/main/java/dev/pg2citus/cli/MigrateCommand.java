package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.pipeline.Migration;
import dev.pg2citus.plan.PlanException;
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
  private static final String RESUME = "run migrate --resume to continue";

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
      Migration migration = new Migration(config, pipelineOptions(config), new Migration.Options(resume, rejectsDir,
          progressSeconds, options.waitForTarget, notConsistent));
      try {
        migration.run(summary);
      } catch (SQLException e) {
        // The summary and its JSON are written on every exit: what was done, and why the run stopped.
        String remedy = ServerErrors.remedy(e.getSQLState(), "database");
        String message = config.source().withoutSecrets(config.target().withoutSecrets(e.getMessage()));
        String resume = !migration.recorded() || message.contains("--resume") ? "" : "; " + RESUME;
        String stopped = message + " (source " + config.source().address() + ", target "
            + config.target().address() + ")" + (remedy == null ? "" : "; " + remedy) + resume;
        summary.phase("stopped", 0, List.of(stopped), List.of());
        report(summary, out);
        // The error line says as much as the summary, and which step stopped.
        throw new SQLException("migrate, in " + migration.step() + ": " + stopped, e.getSQLState(), e);
      } catch (IOException | RuntimeException e) {
        if (e instanceof ConfigException || e instanceof PlanException || e instanceof IllegalArgumentException) {
          throw e; // refused, before anything was written: the line says why
        }
        String next = migration.recorded()
            ? "the run can be continued with pg2citus migrate --resume once the cause is fixed"
            : "nothing was written that --resume would continue: run migrate again once the cause is fixed";
        String line = config.source().withoutSecrets(config.target().withoutSecrets(
            Unexpected.line("migrate, in " + migration.step(), e, next)));
        summary.phase("stopped", 0, List.of(line), List.of());
        report(summary, out);
        throw new Unexpected(line, e);
      }
      report(summary, out);
      return switch (summary.outcome()) {
        case COMPLETE -> ExitCodes.OK;
        case ROWS_REJECTED -> ExitCodes.ROWS_REJECTED;
        case NOT_COMPLETE -> ExitCodes.PHASE_ERRORS;
      };
    }
  }

  private void report(MigrationSummary summary, PrintWriter out) {
    out.println(summary.render());
    try {
      summary.writeJson(summaryJson);
    } catch (IOException e) {
      throw new Unexpected(Unexpected.line("migrate, writing the summary JSON", e, "the run ended as the summary"
          + " above says, only the file is missing: give --summary-json a file that can be written"), e);
    }
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
