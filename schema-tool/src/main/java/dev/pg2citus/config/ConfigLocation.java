package dev.pg2citus.config;

/**
 * Where a configuration value came from: a file, line and key, or a command-line option.
 *
 * @param source the file name, or {@code command line}
 * @param line the 1-based line in the file, or 0 for the command line
 * @param key the dotted key path, e.g. {@code load.batch-rows} or {@code distribute[2]}
 */
public record ConfigLocation(String source, int line, String key) {
  public static ConfigLocation commandLine(String option) {
    return new ConfigLocation("command line", 0, option);
  }

  public ConfigLocation child(String childKey, int childLine) {
    return new ConfigLocation(source, childLine, key.isEmpty() ? childKey : key + "." + childKey);
  }

  public ConfigLocation element(int index, int elementLine) {
    return new ConfigLocation(source, elementLine, key + "[" + index + "]");
  }

  @Override
  public String toString() {
    String where = line > 0 ? source + ":" + line : source;
    return key.isEmpty() ? where : where + ": " + key;
  }
}
