package dev.pg2citus.cli;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** The post-data phase. */
@Command(name = "finalize", mixinStandardHelpOptions = true,
    description = "Post-data: primary keys, unique constraints, indexes, foreign keys, checks and ANALYZE, "
        + "several at once (load.index-workers); then sequence values.")
final class FinalizeCommand extends SchemaCommand {
  @Override
  boolean needsTarget() {
    return true;
  }

  @Override
  int run(SchemaTool tool, MigrationConfig config, PrintWriter out) throws Exception {
    return summarize(tool.finalizeSchema(), out);
  }
}
