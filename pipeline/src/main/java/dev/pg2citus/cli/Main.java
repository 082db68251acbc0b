package dev.pg2citus.cli;

/** Entry point of the shaded jar that {@code scripts/pg2citus} runs: the schema tool's commands and migrate. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Pg2Citus.commandLine(new MigrateCommand()).execute(args));
  }
}
