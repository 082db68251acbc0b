package dev.pg2citus.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML value that remembers its file, line and key, so every configuration error can point at
 * them. Scalars have {@code ${VAR}} and {@code ${VAR:-default}} replaced from the environment.
 */
public final class YamlNode {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final String SIZE_UNITS = "b|kb|mb|gb";
  private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+)\\s*(" + SIZE_UNITS + ")?\\s*");

  private final ConfigLocation location;
  private final Map<String, YamlNode> map;
  private final List<YamlNode> list;
  private final String scalar;

  private YamlNode(ConfigLocation location, Map<String, YamlNode> map, List<YamlNode> list, String scalar) {
    this.location = location;
    this.map = map;
    this.list = list;
    this.scalar = scalar;
  }

  /** Parses a whole YAML document; an empty document is an empty map. */
  public static YamlNode parse(String text, String fileName, Function<String, String> environment) {
    ConfigLocation root = new ConfigLocation(fileName, 1, "");
    try (JsonParser parser = new YAMLFactory().createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new YamlNode(root, new LinkedHashMap<>(), null, null);
      }
      YamlNode node = read(parser, root, environment);
      if (node.map == null) {
        throw new ConfigException(root, "the configuration must be a mapping of sections (source, target, tables…)");
      }
      return node;
    } catch (IOException e) {
      int line = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null
          ? jpe.getLocation().getLineNr() : 0;
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new ConfigException(new ConfigLocation(fileName, line, ""), "not valid YAML: " + reason);
    }
  }

  private static YamlNode read(JsonParser parser, ConfigLocation at, Function<String, String> env)
      throws IOException {
    JsonToken token = parser.currentToken();
    ConfigLocation here = at;
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          ConfigLocation child = here.child(name, parser.currentTokenLocation().getLineNr());
          if (entries.containsKey(name)) {
            throw new ConfigException(child, "the key is given twice");
          }
          parser.nextToken();
          entries.put(name, read(parser, child, env));
        }
        return new YamlNode(here, entries, null, null);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, here.element(items.size(), parser.currentTokenLocation().getLineNr()), env));
        }
        return new YamlNode(here, null, items, null);
      }
      case VALUE_NULL -> {
        return new YamlNode(here, null, null, null);
      }
      default -> {
        return new YamlNode(here, null, null, interpolate(parser.getText(), here, env));
      }
    }
  }

  private static String interpolate(String text, ConfigLocation at, Function<String, String> env) {
    Matcher m = ENV.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        if (m.group(2) == null) {
          throw new ConfigException(at, "environment variable " + m.group(1) + " is not set"
              + " (write ${" + m.group(1) + ":-default} to give a default)");
        }
        value = m.group(3);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A node for a value given on the command line, or read from a pgloader command file. */
  public static YamlNode scalar(ConfigLocation location, String value) {
    return new YamlNode(location, null, null, value);
  }

  /** A mapping built by another reader (a pgloader command file); keys keep their order. */
  public static YamlNode map(ConfigLocation location, Map<String, YamlNode> entries) {
    return new YamlNode(location, new LinkedHashMap<>(entries), null, null);
  }

  /** A list built by another reader. */
  public static YamlNode list(ConfigLocation location, List<YamlNode> items) {
    return new YamlNode(location, null, List.copyOf(items), null);
  }

  public ConfigLocation location() {
    return location;
  }

  public boolean isNull() {
    return map == null && list == null && scalar == null;
  }

  public boolean isMap() {
    return map != null;
  }

  public boolean isList() {
    return list != null;
  }

  public boolean isScalar() {
    return scalar != null;
  }

  /** The child under {@code key}, or null when absent. Only for maps. */
  public YamlNode get(String key) {
    return asMap().get(key);
  }

  /** Fails on the first key that is not one of {@code allowed}, and says which are. */
  public void requireKnownKeys(Collection<String> allowed) {
    for (Map.Entry<String, YamlNode> entry : asMap().entrySet()) {
      if (!allowed.contains(entry.getKey())) {
        throw new ConfigException(entry.getValue().location, "unknown key '" + entry.getKey()
            + "'; expected one of: " + String.join(", ", allowed));
      }
    }
  }

  public Map<String, YamlNode> asMap() {
    if (map == null) {
      throw fail("expected a mapping of keys to values");
    }
    return map;
  }

  /** A list; a single scalar counts as a list of one, so {@code from: campaigns} reads naturally. */
  public List<YamlNode> asList() {
    if (list != null) {
      return list;
    }
    if (scalar != null) {
      return List.of(this);
    }
    throw fail("expected a list");
  }

  public String asString() {
    if (scalar == null) {
      throw fail("expected a single value");
    }
    return scalar;
  }

  public boolean asBoolean() {
    return switch (asString().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw fail("expected true or false, got '" + scalar + "'");
    };
  }

  public long asLong() {
    try {
      return Long.parseLong(asString().replace("_", ""));
    } catch (NumberFormatException e) {
      throw fail("expected a whole number, got '" + scalar + "'");
    }
  }

  /** A byte count: a number with an optional kB, MB or GB suffix (powers of 1024). */
  public long asBytes() {
    Matcher m = SIZE.matcher(asString());
    if (!m.matches()) {
      throw fail("expected a size such as 16MB, got '" + scalar + "'");
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor = switch (unit) {
      case "kb" -> 1L << 10;
      case "mb" -> 1L << 20;
      case "gb" -> 1L << 30;
      default -> 1L;
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
    } catch (NumberFormatException | ArithmeticException e) {
      throw fail("size '" + scalar + "' is too large");
    }
  }

  /** Whether {@code word} is a unit a size may end with ({@code MB}), so a reader can join {@code 20 MB}. */
  static boolean isSizeUnit(String word) {
    return word.matches("(?i)" + SIZE_UNITS);
  }

  public ConfigException fail(String problem) {
    return new ConfigException(location, problem);
  }
}
