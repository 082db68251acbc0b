package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.plan.PlanException;
import java.io.PrintWriter;
import java.sql.SQLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The {@code pg2citus} command line: every command, one clear line per error, and exit codes. */
@Command(name = "pg2citus", mixinStandardHelpOptions = true, version = "pg2citus 0.1.0",
    description = "Moves a PostgreSQL database into Citus.",
    subcommands = {PlanCommand.class, CreateCommand.class, MigrateCommand.class, FinalizeCommand.class,
        StatusCommand.class, ConvertCommand.class, ConfigReferenceCommand.class,
        CommandLine.HelpCommand.class})
public final class Pg2Citus {
  private static final String VERBOSE = "--verbose";

  /** Declared here for every command, so it may come before or after the command's name. */
  @Option(names = {"-v", VERBOSE}, scope = ScopeType.INHERIT,
      description = "Log every SQL statement and each partition, key map and note (DEBUG; by default the log has a "
          + "line per phase, per table loaded and per group of warnings); after an error's line, print the stack "
          + "trace of what caused it (for a bug report).")
  void verbose(boolean verbose) {
    if (verbose) {
      Verbosity.verbose();
    }
  }

  private Pg2Citus() {}

  /**
   * The command line; every error becomes one clear line and an exit code, an unexpected one (no
   * remedy known) included: no stack trace unless {@code --verbose}.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Pg2Citus());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      boolean known = e instanceof ConfigException || e instanceof PlanException
          || e instanceof IllegalArgumentException || e instanceof SQLException;
      Throwable told = known || e instanceof Unexpected ? e
          : new Unexpected(Unexpected.line(commandLine.getCommandName(), e, ""), e);
      err.println("error: " + ConnectionSpec.redact(told.getMessage()));
      if (verbose(parseResult)) {
        (told instanceof Unexpected ? told.getCause() : told).printStackTrace(err);
      }
      err.flush();
      if (e instanceof ConfigException || e instanceof PlanException || e instanceof IllegalArgumentException) {
        return ExitCodes.BAD_INPUT;
      }
      return e instanceof SQLException ? ExitCodes.DATABASE_ERROR : ExitCodes.UNEXPECTED;
    });
    return cli;
  }

  /** Whether {@code --verbose} was given, before or after the command's name. */
  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
