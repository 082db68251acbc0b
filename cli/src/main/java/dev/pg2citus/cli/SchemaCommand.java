package dev.pg2citus.cli;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.PhaseReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What the schema commands share: load the configuration, read the source, plan, then act. */
abstract class SchemaCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions options;

  @Spec
  CommandSpec spec;

  /** Whether the command writes to the target (then {@code --embedded} starts one). */
  abstract boolean needsTarget();

  abstract int run(SchemaTool tool, MigrationConfig config, PrintWriter out) throws Exception;

  /** Prints a phase summary; the exit code says whether any statement failed. */
  static int summarize(PhaseReport report, PrintWriter out) {
    out.println(report.render());
    return report.failed() ? ExitCodes.PHASE_ERRORS : ExitCodes.OK;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (EmbeddedDefault embedded = options.startEmbedded(needsTarget())) {
      if (embedded != null) {
        out.println(embedded.describe());
      }
      MigrationConfig config = options.load(embedded, out);
      try (SchemaTool tool = needsTarget() ? SchemaTool.load(config).locatedOnTarget() : SchemaTool.load(config)) {
        if (needsTarget()) {
          tool.claimTarget(spec.name(), options.waitForTarget);
        }
        int code = run(tool, config, out);
        out.flush();
        return code;
      }
    }
  }
}
