package dev.pg2citus.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One typed configuration key: its dotted path, type, default, validation and description. The
 * configuration reference in the README is generated from these definitions
 * ({@code pg2citus config-reference}).
 *
 * @param <T> the value type
 */
public final class ConfigOption<T> {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9}) ?(ms|s|min)");

  private final String key;
  private final String type;
  private final T defaultValue;
  private final String defaultText;
  private final String description;
  private final Function<YamlNode, T> reader;

  private ConfigOption(String key, String type, T defaultValue, String defaultText, String description,
      Function<YamlNode, T> reader) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.description = description;
    this.reader = reader;
  }

  public static ConfigOption<Boolean> bool(String key, boolean defaultValue, String description) {
    return new ConfigOption<>(key, "boolean", defaultValue, String.valueOf(defaultValue), description,
        YamlNode::asBoolean);
  }

  public static ConfigOption<Integer> integer(String key, int defaultValue, int min, int max, String description) {
    return new ConfigOption<>(key, "integer " + min + ".." + max, defaultValue, String.valueOf(defaultValue),
        description, node -> {
          long v = node.asLong();
          if (v < min || v > max) {
            throw node.fail("must be between " + min + " and " + max + ", got " + v);
          }
          return (int) v;
        });
  }

  public static ConfigOption<Long> bytes(String key, long defaultValue, String defaultText, String description) {
    return new ConfigOption<>(key, "size (bytes, kB, MB, GB)", defaultValue, defaultText, description, node -> {
      long v = node.asBytes();
      if (v <= 0) {
        throw node.fail("must be greater than zero");
      }
      return v;
    });
  }

  /** A duration written with its unit: {@code 500ms}, {@code 2s}, {@code 1min}. */
  public static ConfigOption<Duration> duration(String key, Duration defaultValue, String defaultText,
      String description) {
    return new ConfigOption<>(key, "duration (ms, s, min)", defaultValue, defaultText, description, node -> {
      Matcher m = DURATION.matcher(node.asString().trim());
      if (!m.matches()) {
        throw node.fail("expected a duration such as 500ms, 2s or 1min, got '" + node.asString() + "'");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    });
  }

  public static <E extends Enum<E>> ConfigOption<E> choice(String key, E defaultValue, String description) {
    Class<E> type = defaultValue.getDeclaringClass();
    String names = Arrays.stream(type.getEnumConstants()).map(ConfigOption::label).collect(Collectors.joining(" | "));
    return new ConfigOption<>(key, names, defaultValue, label(defaultValue), description, node -> {
      for (E candidate : type.getEnumConstants()) {
        if (label(candidate).equals(node.asString().toLowerCase(Locale.ROOT))) {
          return candidate;
        }
      }
      throw node.fail("expected one of " + names + ", got '" + node.asString() + "'");
    });
  }

  /** An enum constant as the configuration writes it: {@code ON_ERROR} → {@code on-error}. */
  public static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static ConfigOption<String> string(String key, String defaultValue, String description) {
    return new ConfigOption<>(key, "string", defaultValue, defaultValue == null ? "—" : defaultValue,
        description, YamlNode::asString);
  }

  /** A key whose value has a structure of its own (lists of rules, maps of properties). */
  public static <T> ConfigOption<T> structured(String key, String type, T defaultValue, String defaultText,
      String description, Function<YamlNode, T> reader) {
    return new ConfigOption<>(key, type, defaultValue, defaultText, description, reader);
  }

  /** The value under this key in {@code root}, or the default when the key is absent or null. */
  public T read(YamlNode root) {
    YamlNode node = find(root);
    return node == null || node.isNull() ? defaultValue : reader.apply(node);
  }

  /** The node under this key, or null. */
  public YamlNode find(YamlNode root) {
    YamlNode node = root;
    for (String part : key.split("\\.")) {
      if (node == null || !node.isMap()) {
        return null;
      }
      node = node.get(part);
    }
    return node;
  }

  public String key() {
    return key;
  }

  public String section() {
    int dot = key.indexOf('.');
    return dot < 0 ? key : key.substring(0, dot);
  }

  public String type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String defaultText() {
    return defaultText;
  }

  public String description() {
    return description;
  }
}
