package dev.pg2citus.cli;

import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
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

  @Option(names = "--embedded",
      description = "Run against a local source holding the Citus tutorial schema, and a local target "
          + "(real Citus when the citus extension is installed, plain PostgreSQL otherwise).")
  boolean embedded;

  /** Loads the configuration; with {@code --embedded}, {@code embedded} supplies the URLs. */
  MigrationConfig load(EmbeddedDefault embeddedDefault) {
    ConfigLoader loader = ConfigLoader.fromEnvironment();
    if (embeddedDefault == null) {
      return loader.load(config, new ConfigLoader.Overrides(source, target, distribute));
    }
    ConfigLoader.Overrides overrides = new ConfigLoader.Overrides(
        embeddedDefault.sourceUrl(), embeddedDefault.targetUrl(), distribute);
    MigrationConfig loaded = config != null ? loader.load(config, overrides)
        : loader.parse(EmbeddedDefault.resource(EmbeddedDefault.CONFIG_RESOURCE), "configs/hackathon.yaml", overrides);
    return embeddedDefault.targetIsCitus() ? loaded : loaded.withPlainTarget();
  }

  /** Starts the embedded default when asked for, else returns null. */
  EmbeddedDefault startEmbedded(boolean withTarget) throws SQLException {
    return embedded ? EmbeddedDefault.start(withTarget) : null;
  }
}
