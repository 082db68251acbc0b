package dev.pg2citus.cli;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.SchemaTool;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** The pre-data phase. */
@Command(name = "create", mixinStandardHelpOptions = true,
    description = "Pre-data: drop when asked, create schemas, types, sequences and tables, then distribute them.")
final class CreateCommand extends SchemaCommand {
  @Override
  boolean needsTarget() {
    return true;
  }

  @Override
  int run(SchemaTool tool, MigrationConfig config, PrintWriter out) throws Exception {
    out.println(tool.target().plan().render());
    return summarize(tool.create(), out);
  }
}
