package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command shares: where the configuration comes from, and what overrides it.
 * With {@code --embedded}, source and target are started locally (see {@link EmbeddedDefault}).
 */
public final class ConnectionOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "The YAML configuration (see configs/hackathon.yaml and `pg2citus config-reference`).")
  Path config;

  @Option(names = "--load", paramLabel = "FILE.load",
      description = "A pgloader command file (LOAD DATABASE FROM pgsql://… INTO pgsql://…), run as it is "
          + "instead of a YAML configuration; `pg2citus convert FILE.load` prints its YAML.")
  Path loadFile;

  @Option(names = "--source", paramLabel = "URL",
      description = "Source database URL (jdbc:postgresql:// or postgresql://); overrides source.url.")
  String source;

  @Option(names = "--target", paramLabel = "URL",
      description = "Target (Citus coordinator) URL; overrides target.url.")
  String target;

  @Option(names = "--distribute", paramLabel = "RULE",
      description = "A distribution rule, as in pgloader: 'companies using id', "
          + "'ads using company_id from campaigns', 'countries as reference table'. Repeatable.")
  List<String> distribute = new ArrayList<>();

  @Option(names = "--wait",
      description = "When another pg2citus run is writing the target (migrate, create, finalize), wait for it to "
          + "end instead of refusing at once (exit 2).")
  boolean waitForTarget;

  @Option(names = "--embedded",
      description = "Run against a local source holding the Citus tutorial schema, and a local target "
          + "(real Citus when the citus extension is installed, plain PostgreSQL otherwise).")
  boolean embedded;

  @Option(names = {"-v", "--verbose"},
      description = "Log every SQL statement and each partition, key map and note (DEBUG); by default the log has a "
          + "line per phase, per table loaded and per group of warnings.")
  void verbose(boolean verbose) {
    if (verbose) {
      Verbosity.verbose();
    }
  }

  /**
   * Loads the configuration, from {@code --config} or {@code --load}; with {@code --embedded},
   * {@code embedded} supplies the URLs. Prints the notes on pgloader options that pg2citus takes
   * differently to {@code out}.
   */
  MigrationConfig load(EmbeddedDefault embeddedDefault, PrintWriter out) {
    if (config != null && loadFile != null) {
      throw new ConfigException(ConfigLocation.commandLine("--load"),
          "give either --config (YAML) or --load (a pgloader command file), not both");
    }
    ConfigLoader.Overrides overrides = embeddedDefault == null
        ? new ConfigLoader.Overrides(source, target, distribute)
        : new ConfigLoader.Overrides(embeddedDefault.sourceUrl(), embeddedDefault.targetUrl(), distribute);
    MigrationConfig loaded = loadFile != null ? loader().loadCommandFile(loadFile, overrides)
        : config != null || embeddedDefault == null ? loader().load(config, overrides)
        : loader().parse(EmbeddedDefault.resource(EmbeddedDefault.CONFIG_RESOURCE), "configs/hackathon.yaml",
            overrides);
    loaded.notes().forEach(n -> out.println("-- pgloader command file: " + n));
    return embeddedDefault == null || embeddedDefault.targetIsCitus() ? loaded : loaded.withPlainTarget();
  }

  private static ConfigLoader loader() {
    return ConfigLoader.fromEnvironment();
  }

  /** Starts the embedded default when asked for, else returns null. */
  EmbeddedDefault startEmbedded(boolean withTarget) throws SQLException {
    return embedded ? EmbeddedDefault.start(withTarget) : null;
  }
}
