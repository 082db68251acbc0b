package dev.pg2citus.config;

import static dev.pg2citus.config.ConfigOptions.*;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a configuration decides about the target, option by option, as text: the options a run is
 * started with and a resumed run must share ({@code --resume} compares them). Left out are the
 * connections (a resume may reach the same databases by another address, and passwords are never
 * kept) and {@link #MAY_CHANGE_ON_RESUME}, the options that say how fast or how the run goes on, not
 * what the target gets. Where each option was written (its file and line) is not part of its value.
 */
public final class EffectiveOptions {
  /** Options a resumed run may set otherwise than the run it resumes. */
  public static final Set<ConfigOption<?>> MAY_CHANGE_ON_RESUME = Set.of(SOURCE_URL, SOURCE_USER, SOURCE_PASSWORD,
      SOURCE_PROPERTIES, TARGET_URL, TARGET_USER, TARGET_PASSWORD, TARGET_PROPERTIES, TARGET_SETTINGS,
      TARGET_NODE_ADDRESSES, INCLUDE_DROP, TRUNCATE, INDEX_WORKERS, CHECK_DATA, BATCH_ROWS, BATCH_BYTES, PARTITIONS, SPLIT_THRESHOLD, SIDE_INPUT_MAX_KEYS,
      VERIFY, WORKERS, PARTITION_RETRIES, RETRY_BACKOFF, OUTAGE_WAIT);

  private EffectiveOptions() {}

  /**
   * Every option of {@code config} but {@link #MAY_CHANGE_ON_RESUME}, key → value as text, in
   * reference order; a list's items one a line, {@code none} for an empty one.
   */
  public static Map<String, String> of(MigrationConfig config) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      if (!MAY_CHANGE_ON_RESUME.contains(option)) {
        values.put(option.key(), value(config, option));
      }
    }
    Map<String, String> result = new LinkedHashMap<>();
    values.forEach((key, value) -> result.put(key, text(value)));
    return result;
  }

  private static Object value(MigrationConfig config, ConfigOption<?> option) {
    if (option.key().startsWith("load.")) {
      return config.load().get(option);
    }
    if (option.key().startsWith("citus.")) {
      return config.citus().get(option);
    }
    if (option == TARGET_PLAIN) {
      return config.targetIsPlainPostgresql();
    }
    if (option == TABLES_INCLUDE) {
      return config.include();
    }
    if (option == TABLES_EXCLUDE) {
      return config.exclude();
    }
    if (option == RENAME_SCHEMAS) {
      return config.renames().schemas();
    }
    if (option == RENAME_TABLES) {
      return config.renames().tables();
    }
    if (option == CASTS) {
      return config.casts();
    }
    if (option == DISTRIBUTE) {
      return config.rules();
    }
    if (option == BEFORE_LOAD) {
      return config.beforeLoad();
    }
    if (option == AFTER_LOAD) {
      return config.afterLoad();
    }
    throw new IllegalStateException(option.key() + ": not in the model's effective options; add it here");
  }

  /** Whether the option of {@code key} holds a list or a mapping (its changes are told item by item). */
  public static boolean listed(String key) {
    return ConfigOptions.ALL.stream().anyMatch(o -> o.key().equals(key)
        && (o.defaultValue() instanceof List<?> || o.defaultValue() instanceof Map<?, ?>));
  }

  /** A value as text: a list's items one a line, records by their parts, without where they were written. */
  static String text(Object value) {
    if (value instanceof List<?> list) {
      List<String> items = new ArrayList<>();
      list.forEach(item -> items.add(item(item)));
      return items.isEmpty() ? "none" : String.join("\n", items);
    }
    return item(value);
  }

  /** A table pattern as written: {@code schema.name}, or its parts by name where it has patterns. */
  private static String selector(TableSelector t) {
    if (t.schemaPattern() == null && t.namePattern() == null && t.name() != null) {
      return t.schema() == null ? t.name() : t.schema() + "." + t.name();
    }
    List<String> parts = new ArrayList<>();
    if (t.schema() != null) {
      parts.add("schema " + t.schema());
    }
    if (t.schemaPattern() != null) {
      parts.add("schema-matches " + item(t.schemaPattern()));
    }
    if (t.name() != null) {
      parts.add("name " + t.name());
    }
    if (t.namePattern() != null) {
      parts.add("name-matches " + item(t.namePattern()));
    }
    return String.join(", ", parts);
  }

  private static String item(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof DistributionRule || value instanceof NameRef) {
      return value.toString(); // as a rule writes it
    }
    if (value instanceof TableSelector t) {
      return selector(t);
    }
    if (value instanceof Pattern p) {
      return "/" + p.pattern() + "/";
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof Duration d) {
      return d.toString();
    }
    if (value instanceof Map<?, ?> map) {
      List<String> entries = new ArrayList<>();
      map.forEach((k, v) -> entries.add(k + ": " + item(v)));
      return map.isEmpty() ? "none" : String.join(", ", entries);
    }
    if (value instanceof List<?> list) {
      return "[" + String.join(", ", list.stream().map(EffectiveOptions::item).toList()) + "]";
    }
    if (value instanceof Record record) {
      List<String> parts = new ArrayList<>();
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        if (c.getType() == ConfigLocation.class) {
          continue;
        }
        try {
          Object part = c.getAccessor().invoke(record);
          if (part != null && !Boolean.FALSE.equals(part)) {
            parts.add(c.getName() + " " + item(part));
          }
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return String.join(", ", parts);
    }
    return String.valueOf(value);
  }
}
