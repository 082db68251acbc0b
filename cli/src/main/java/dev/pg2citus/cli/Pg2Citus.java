package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.plan.PlanException;
import java.sql.SQLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pg2citus} command line: every command, one clear line per error, and exit codes. */
@Command(name = "pg2citus", mixinStandardHelpOptions = true, version = "pg2citus 0.1.0",
    description = "Moves a PostgreSQL database into Citus.",
    subcommands = {PlanCommand.class, CreateCommand.class, MigrateCommand.class, FinalizeCommand.class,
        StatusCommand.class, ConvertCommand.class, ConfigReferenceCommand.class,
        CommandLine.HelpCommand.class})
public final class Pg2Citus {
  private Pg2Citus() {}

  /** The command line; errors become one clear line and an exit code. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Pg2Citus());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("error: " + ConnectionSpec.redact(e.getMessage()));
      commandLine.getErr().flush();
      if (e instanceof ConfigException || e instanceof PlanException || e instanceof IllegalArgumentException) {
        return ExitCodes.BAD_INPUT;
      }
      if (e instanceof SQLException) {
        return ExitCodes.DATABASE_ERROR;
      }
      throw e;
    });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
