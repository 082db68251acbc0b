package dev.pg2citus.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The values of every option of one section of the file ({@code load}, {@code citus}), each held
 * under its {@link ConfigOption}: read and checked by the option's own definition, so that a new
 * option of the section is its definition in {@link ConfigOptions} plus one accessor in the model.
 * Immutable; {@link #toBuilder()} gives a copy with some options set by name.
 *
 * @param <S> the section's model class
 */
public abstract class OptionSection<S extends OptionSection<S>> {
  private final String section;
  private final Map<ConfigOption<?>, Object> values;

  OptionSection(String section, Map<ConfigOption<?>, Object> values) {
    this.section = section;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Every option of {@code section}, in reference order, as {@code root} gives it (each read and
   * checked by its definition), or its default where {@code root} lacks it or is null.
   */
  static Map<ConfigOption<?>, Object> read(String section, YamlNode root) {
    Map<ConfigOption<?>, Object> values = new LinkedHashMap<>();
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      if (option.key().startsWith(section + ".")) {
        values.put(option, immutable(root == null ? option.defaultValue() : option.read(root)));
      }
    }
    return values;
  }

  /** The same section with other values: the subclass's constructor. */
  abstract S with(Map<ConfigOption<?>, Object> newValues);

  /** The value of {@code option}, which must be one of this section's. */
  protected final <T> T get(ConfigOption<T> option) {
    checkOwn(option);
    @SuppressWarnings("unchecked") // put only by read() from the option itself, or by Builder.set with its T
    T value = (T) values.get(option);
    return value;
  }

  /** A builder holding these values, to change some of them by name. */
  public final Builder<S> toBuilder() {
    return new Builder<>(this);
  }

  private void checkOwn(ConfigOption<?> option) {
    if (!values.containsKey(option)) {
      throw new IllegalArgumentException(option.key() + " is not an option of the " + section + " section");
    }
  }

  // Lists and maps that readers build are mutable; the model is not.
  private static Object immutable(Object value) {
    if (value instanceof List<?> list) {
      return List.copyOf(list);
    }
    if (value instanceof Map<?, ?> map) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
    return value;
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof OptionSection<?> other && other.getClass() == getClass() && other.values.equals(values);
  }

  @Override
  public final int hashCode() {
    return values.hashCode();
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + values.entrySet().stream()
        .map(e -> e.getKey().key() + "=" + e.getValue()).collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * Sets options of a section by name, each with its own value type, so a value cannot land on
   * another option by its position: {@code Load.builder().set(BATCH_ROWS, 1000).build()}.
   *
   * @param <S> the section's model class
   */
  public static final class Builder<S extends OptionSection<S>> {
    private final OptionSection<S> base;
    private final Map<ConfigOption<?>, Object> values;

    private Builder(OptionSection<S> base) {
      this.base = base;
      this.values = new LinkedHashMap<>(base.values);
    }

    /** Sets {@code option}, which must be one of the section's, to {@code value}. */
    public <T> Builder<S> set(ConfigOption<T> option, T value) {
      base.checkOwn(option);
      values.put(option, immutable(Objects.requireNonNull(value, option.key())));
      return this;
    }

    public S build() {
      return base.with(values);
    }
  }
}
