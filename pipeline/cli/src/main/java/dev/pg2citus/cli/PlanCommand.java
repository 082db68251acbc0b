package dev.pg2citus.cli;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.SchemaScripts;
import dev.pg2citus.ddl.SchemaTool;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

/** Prints the distribution plan and every statement the schema phases would run; writes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Print the distribution plan and every SQL statement of create and finalize; write nothing.")
final class PlanCommand extends SchemaCommand {
  @Override
  boolean needsTarget() {
    return false;
  }

  @Override
  int run(SchemaTool tool, MigrationConfig config, PrintWriter out) {
    out.println(tool.target().plan().render());
    SchemaScripts scripts = tool.scripts();
    print(out, "create (pre-data)", scripts.create());
    print(out, "finalize (post-data)", scripts.finalizeSchema());
    tool.target().catalog().skipped().forEach(s -> out.println("-- not carried: " + s));
    if (tool.target().plan().needsCitus() && config.targetIsPlainPostgresql()) {
      out.println("-- the target is plain PostgreSQL: the distribute statements will be skipped");
    }
    return 0;
  }

  private static void print(PrintWriter out, String phase, List<DdlStatement> statements) {
    out.println("-- " + phase + ": " + statements.size() + " statements");
    for (DdlStatement s : statements) {
      out.println(s.sql() + ";");
    }
    out.println();
  }
}
