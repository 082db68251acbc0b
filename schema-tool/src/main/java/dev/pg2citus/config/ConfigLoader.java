package dev.pg2citus.config;

import static dev.pg2citus.config.ConfigOptions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a {@link MigrationConfig} from a YAML file and command-line overrides.
 *
 * <p>With both {@code --source} and {@code --target} the file is optional, as with
 * {@code pgloader SOURCE TARGET}: every table is copied as it is unless {@code --distribute} rules
 * say otherwise.
 */
public final class ConfigLoader {
  private final Function<String, String> environment;

  /** Command-line values that override or extend the file. */
  public record Overrides(String sourceUrl, String targetUrl, List<String> distribute) {
    public Overrides {
      distribute = distribute == null ? List.of() : List.copyOf(distribute);
    }

    public static Overrides none() {
      return new Overrides(null, null, List.of());
    }
  }

  public ConfigLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  /** A loader that reads {@code ${VAR}} from the process environment. */
  public static ConfigLoader fromEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  public MigrationConfig load(Path file, Overrides overrides) {
    if (file == null) {
      if (overrides.sourceUrl() == null || overrides.targetUrl() == null) {
        throw new ConfigException(ConfigLocation.commandLine("--config"),
            "give a configuration file, or both --source and --target");
      }
      return parse("", "command line", overrides);
    }
    return parse(read(file), file.toString(), overrides);
  }

  /**
   * Builds the configuration from a pgloader command file ({@code LOAD DATABASE FROM pgsql://…}),
   * as {@link LoadFileReader} reads it; {@code before load execute 'file.sql'} is read next to it.
   */
  public MigrationConfig loadCommandFile(Path file, Overrides overrides) {
    return build(commandFile(file, read(file)), file.toString(), overrides);
  }

  /**
   * The YAML configuration equivalent to a pgloader command file, commented ({@code pg2citus
   * convert}); the file is checked as {@link #loadCommandFile} checks it.
   */
  public String convertCommandFile(Path file) {
    String text = read(file);
    ConfigTree tree = commandFile(file, text);
    build(tree, file.toString(), Overrides.none());
    return YamlWriter.write(tree, file.getFileName().toString(), text);
  }

  /** Parses command file text; {@code origin} names it in errors, and no other file can be read. */
  public MigrationConfig parseCommandFile(String text, String origin, Overrides overrides) {
    return build(new LoadFileReader(environment, name -> {
      throw new ConfigException(new ConfigLocation(origin, 0, ""), "cannot read '" + name + "' from " + origin);
    }).read(text, origin), origin, overrides);
  }

  private ConfigTree commandFile(Path file, String text) {
    Path dir = file.toAbsolutePath().getParent();
    return new LoadFileReader(environment, name -> read(dir.resolve(name))).read(text, file.toString());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(new ConfigLocation(file.toString(), 0, ""), "cannot read the file: " + e);
    }
  }

  /** Parses configuration text; {@code origin} names it in errors. */
  public MigrationConfig parse(String yaml, String origin, Overrides overrides) {
    return build(new ConfigTree(YamlNode.parse(yaml, origin, environment), List.of(), Map.of()), origin, overrides);
  }

  /** The model from either reader's tree of options. */
  private MigrationConfig build(ConfigTree file, String origin, Overrides overrides) {
    YamlNode root = file.root();
    checkKnownKeys(root);
    // The one place PGPASSWORD applies, to YAML and command files alike: after the URL's and the file's.
    String pgPassword = environment.apply(ConnectionSpec.PASSWORD_VARIABLE);
    ConnectionSpec source = connection(root, "source", SOURCE_URL, SOURCE_USER, SOURCE_PASSWORD,
        SOURCE_PROPERTIES, overrides.sourceUrl()).orPassword(pgPassword);
    ConnectionSpec target = connection(root, "target", TARGET_URL, TARGET_USER, TARGET_PASSWORD,
        TARGET_PROPERTIES, overrides.targetUrl()).orPassword(pgPassword)
        .withNodeAddresses(TARGET_NODE_ADDRESSES.read(root));

    List<DistributionRule> rules = new ArrayList<>(DISTRIBUTE.read(root));
    for (String rule : overrides.distribute()) {
      rules.add(DistributionRule.parse(rule, ConfigLocation.commandLine("--distribute '" + rule + "'")));
    }

    MigrationConfig.Load load = MigrationConfig.Load.read(root);
    if (load.dataOnly() && load.schemaOnly()) {
      throw new ConfigException(SCHEMA_ONLY.find(root).location(), "data-only and schema-only cannot both be true");
    }
    MigrationConfig.Citus citus = MigrationConfig.Citus.read(root);
    Renames renames = new Renames(RENAME_SCHEMAS.read(root), RENAME_TABLES.read(root));
    return MigrationConfig.builder()
        .origin(origin)
        .source(source)
        .target(target)
        .targetIsPlainPostgresql(TARGET_PLAIN.read(root))
        .include(TABLES_INCLUDE.read(root))
        .exclude(TABLES_EXCLUDE.read(root))
        .renames(renames)
        .casts(CASTS.read(root))
        .rules(rules)
        .citus(citus)
        .load(load)
        .beforeLoad(BEFORE_LOAD.read(root))
        .afterLoad(AFTER_LOAD.read(root))
        .notes(notes(file.notes(), overrides))
        .build();
  }

  /** The notes, less those on a connection string that --source or --target replaced. */
  private static List<String> notes(List<String> notes, Overrides overrides) {
    return notes.stream().filter(n -> !(n.startsWith("from ") && overrides.sourceUrl() != null)
        && !(n.startsWith("into ") && overrides.targetUrl() != null)).toList();
  }

  private static ConnectionSpec connection(YamlNode root, String section, ConfigOption<String> url,
      ConfigOption<String> user, ConfigOption<String> password, ConfigOption<Map<String, String>> properties,
      String override) {
    String fileUrl = url.read(root);
    String effective = override != null ? override : fileUrl;
    if (effective == null) {
      YamlNode at = root.get(section) != null ? root.get(section) : root;
      throw new ConfigException(at.location().key().isEmpty()
          ? new ConfigLocation(at.location().source(), at.location().line(), section + ".url")
          : at.location(), section + ".url is missing (or give --" + section + ")");
    }
    ConnectionSpec parsed;
    try {
      parsed = ConnectionSpec.fromUrl(effective);
    } catch (IllegalArgumentException e) {
      ConfigLocation where = override != null ? ConfigLocation.commandLine("--" + section)
          : url.find(root).location();
      throw new ConfigException(where, e.getMessage());
    }
    Map<String, String> props = new LinkedHashMap<>(properties.read(root));
    if (section.equals("target")) {
      withSettings(props, TARGET_SETTINGS.read(root));
    }
    return new ConnectionSpec(parsed.url(),
        parsed.user() != null ? parsed.user() : user.read(root),
        parsed.password() != null ? parsed.password() : password.read(root),
        props);
  }

  /**
   * Session parameters go into the startup packet ({@code options=-c name=value}), so that every
   * connection has them from the start, pipeline workers' included; the server splits the option
   * string on spaces unless escaped by a backslash.
   */
  private static void withSettings(Map<String, String> props, Map<String, String> settings) {
    if (settings.isEmpty()) {
      return;
    }
    StringBuilder options = new StringBuilder(props.getOrDefault("options", ""));
    settings.forEach((name, value) -> {
      if (name.equals("application_name")) {
        props.put("ApplicationName", value); // pgjdbc's own startup parameter would win over -c
        return;
      }
      options.append(options.length() == 0 ? "" : " ").append("-c ").append(name).append('=')
          .append(value.replace("\\", "\\\\").replaceAll("\\s", "\\\\$0"));
    });
    if (options.length() > 0) {
      props.put("options", options.toString());
    }
  }
}
