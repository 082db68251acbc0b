package dev.pg2citus.cli;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.SchemaScripts;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.ddl.TargetIsNotSource;
import dev.pg2citus.plan.DataCheck;
import dev.pg2citus.route.WritePaths;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the distribution plan and every statement the schema phases would run; writes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Print the distribution plan and every SQL statement of create and finalize; write nothing.")
final class PlanCommand extends SchemaCommand {
  @Override
  boolean needsTarget() {
    return false;
  }

  @Option(names = "--check-data", description = "Only check the source rows against the plan: rows whose foreign-key"
      + " paths give different distribution values, orphans of backfill paths, NULL distribution values; each counted"
      + " with example keys. Exit 2 when one would fail the migration. Writes nothing.")
  boolean checkData;

  @Override
  int run(SchemaTool tool, MigrationConfig config, PrintWriter out) throws SQLException {
    if (checkData) {
      return checkData(tool, config, out);
    }
    if (!options.embedded) { // the embedded plan starts no target
      checkTarget(config, out);
    }
    out.println(tool.target().plan().render());
    out.println(WritePaths.render(config.load().writePath(), WritePaths.plan(tool.target(), config.load().writePath(),
        config.targetIsPlainPostgresql())));
    String renames = tool.target().names().render();
    if (!renames.isEmpty()) {
      out.println(renames);
    }
    SchemaScripts scripts = tool.scripts();
    print(out, "create (pre-data)", scripts.create());
    print(out, "finalize (post-data)", scripts.finalizeSchema());
    int largeObjects = tool.target().catalog().largeObjects().size();
    if (largeObjects > 0) {
      out.println("-- large objects: " + largeObjects + ", copied after the rows with their OIDs, owners and grants");
    }
    tool.target().catalog().skipped().forEach(s -> out.println("-- not carried: " + s));
    if (tool.target().plan().needsCitus() && config.targetIsPlainPostgresql()) {
      out.println("-- the target is plain PostgreSQL: the distribute statements will be skipped");
    }
    return 0;
  }

  /**
   * The plan says where the target stands to the source: another database of its server is noted; the
   * source database itself is refused as create would refuse it. Planning needs no target, so one that
   * cannot be reached is only noted.
   */
  private static void checkTarget(MigrationConfig config, PrintWriter out) throws SQLException {
    try {
      TargetIsNotSource.check(config).ifPresent(note -> out.println("-- " + note));
    } catch (SQLException e) {
      out.println("-- the target was not reached (" + e.getMessage() + "): create refuses it if it is the source");
    }
  }

  private static int checkData(SchemaTool tool, MigrationConfig config, PrintWriter out) throws SQLException {
    List<DataCheck.Finding> findings;
    try (Connection source = config.source().open()) {
      findings = tool.checkData(source);
    }
    findings.forEach(f -> out.println((f.refuses() ? "refuses: " : "warning: ") + f));
    long refusing = findings.stream().filter(DataCheck.Finding::refuses).count();
    out.println("-- data check: " + findings.size() + " findings, " + refusing + " refuse the migration");
    return refusing > 0 ? ExitCodes.BAD_INPUT : ExitCodes.OK;
  }

  private static void print(PrintWriter out, String phase, List<DdlStatement> statements) {
    out.println("-- " + phase + ": " + statements.size() + " statements");
    for (DdlStatement s : statements) {
      out.println(s.sql() + ";");
    }
    out.println();
  }
}
