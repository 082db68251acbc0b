package dev.pg2citus.config;

/**
 * A configuration that cannot run, with where it went wrong: {@code hackathon.yaml:23: distribute[0]:
 * table "compnies" does not exist in the source}.
 */
public final class ConfigException extends RuntimeException {
  private final ConfigLocation location;

  public ConfigException(ConfigLocation location, String problem) {
    super(location + ": " + problem);
    this.location = location;
  }

  public ConfigLocation location() {
    return location;
  }
}
