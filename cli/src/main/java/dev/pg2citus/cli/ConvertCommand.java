package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the YAML configuration that a pgloader command file amounts to. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = {"Print the YAML configuration equivalent to a pgloader command file, commented: "
        + "`plan -c` on it shows the same plan as `plan --load` on the file.",
        "Passwords are not printed: a URL's password becomes ${SOURCE_PASSWORD} or ${TARGET_PASSWORD}."})
final class ConvertCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.load", description = "The pgloader command file (LOAD DATABASE …).")
  Path file;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(ConfigLoader.fromEnvironment().convertCommandFile(file));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
