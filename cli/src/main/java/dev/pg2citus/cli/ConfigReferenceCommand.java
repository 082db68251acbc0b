package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints the configuration reference, generated from the option definitions. */
@Command(name = "config-reference", mixinStandardHelpOptions = true,
    description = "Print every configuration key with its type, default and meaning (Markdown).")
final class ConfigReferenceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(ConfigOptions.markdownReference());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
