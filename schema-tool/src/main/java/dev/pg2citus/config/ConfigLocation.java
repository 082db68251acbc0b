package dev.pg2citus.config;

/**
 * Where a configuration value came from: a file, line (and column, in a pgloader command file) and
 * key, or a command-line option.
 *
 * @param source the file name, or {@code command line}
 * @param line the 1-based line in the file, or 0 for the command line
 * @param column the 1-based column, or 0 when only the line is known (YAML)
 * @param key the dotted key path, e.g. {@code load.batch-rows} or {@code distribute[2]}, or the
 *     clause of a command file, e.g. {@code distribute companies using id}
 */
public record ConfigLocation(String source, int line, int column, String key) {
  /** A location known to the line. */
  public ConfigLocation(String source, int line, String key) {
    this(source, line, 0, key);
  }

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
    String where = line > 0 ? source + ":" + line + (column > 0 ? ":" + column : "") : source;
    return key.isEmpty() ? where : where + ": " + key;
  }
}
