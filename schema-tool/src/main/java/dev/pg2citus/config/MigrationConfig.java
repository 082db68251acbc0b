package dev.pg2citus.config;

import static dev.pg2citus.config.ConfigOptions.*;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigOptions.Colocation;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConfigOptions.RefusedKeyActions;
import dev.pg2citus.config.ConfigOptions.Verify;
import dev.pg2citus.config.ConfigOptions.WritePath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one migration needs to know, read from one YAML file or one pgloader command file, and
 * the command line. Build it with {@link ConfigLoader}; both readers give the same model. Immutable;
 * {@link #builder()} and {@link #toBuilder()} set its parts by name.
 *
 * <p>{@code beforeLoad} and {@code afterLoad} are SQL scripts run on the target before create and
 * after finalize; {@code notes} say how a pgloader command file's options were taken where pg2citus
 * does something else than pgloader (empty for YAML).
 */
public final class MigrationConfig {
  private final String origin;
  private final ConnectionSpec source;
  private final ConnectionSpec target;
  private final boolean targetIsPlainPostgresql;
  private final List<TableSelector> include;
  private final List<TableSelector> exclude;
  private final Renames renames;
  private final List<CastRule> casts;
  private final List<DistributionRule> rules;
  private final Citus citus;
  private final Load load;
  private final List<String> beforeLoad;
  private final List<String> afterLoad;
  private final List<String> notes;

  private MigrationConfig(Builder b) {
    origin = Objects.requireNonNull(b.origin, "origin");
    source = Objects.requireNonNull(b.source, "source").asReadOnly(); // pg2citus never writes its source
    target = Objects.requireNonNull(b.target, "target");
    targetIsPlainPostgresql = b.targetIsPlainPostgresql;
    include = List.copyOf(b.include);
    exclude = List.copyOf(b.exclude);
    renames = b.renames;
    casts = List.copyOf(b.casts);
    rules = List.copyOf(b.rules);
    citus = b.citus;
    load = b.load;
    beforeLoad = List.copyOf(b.beforeLoad);
    afterLoad = List.copyOf(b.afterLoad);
    notes = List.copyOf(b.notes);
  }

  /**
   * The {@code citus} options. Each accessor reads the option of its name in {@link ConfigOptions};
   * a new {@code citus.*} option is its definition there and its accessor here.
   */
  public static final class Citus extends OptionSection<Citus> {
    private Citus(Map<ConfigOption<?>, Object> values) {
      super("citus", values);
    }

    /** The {@code citus} options of {@code root}, each checked by its definition; defaults where absent. */
    static Citus read(YamlNode root) {
      return new Citus(read("citus", root));
    }

    /** Every {@code citus} option at its default. */
    public static Citus defaults() {
      return read(null);
    }

    /** A builder starting from the defaults. */
    public static Builder<Citus> builder() {
      return defaults().toBuilder();
    }

    @Override
    Citus with(Map<ConfigOption<?>, Object> newValues) {
      return new Citus(newValues);
    }

    public int shardCount() {
      return get(SHARD_COUNT);
    }

    public boolean autoReferenceTables() {
      return get(AUTO_REFERENCE);
    }

    public Colocation colocation() {
      return get(COLOCATION);
    }

    public RefusedKeyActions refusedKeyActions() {
      return get(REFUSED_KEY_ACTIONS);
    }

    public List<FunctionRule> distributeFunctions() {
      return get(DISTRIBUTE_FUNCTIONS);
    }

    public List<NameRef> leaveOutForeignKeys() {
      return get(LEAVE_OUT_FOREIGN_KEYS);
    }
  }

  /**
   * The {@code load} options, as pgloader's {@code WITH} clause has them. Each accessor reads the
   * option of its name in {@link ConfigOptions}; a new {@code load.*} option is its definition there
   * and its accessor here.
   */
  public static final class Load extends OptionSection<Load> {
    private Load(Map<ConfigOption<?>, Object> values) {
      super("load", values);
    }

    /** The {@code load} options of {@code root}, each checked by its definition; defaults where absent. */
    static Load read(YamlNode root) {
      return new Load(read("load", root));
    }

    /** Every {@code load} option at its default. */
    public static Load defaults() {
      return read(null);
    }

    /** A builder starting from the defaults. */
    public static Builder<Load> builder() {
      return defaults().toBuilder();
    }

    @Override
    Load with(Map<ConfigOption<?>, Object> newValues) {
      return new Load(newValues);
    }

    public boolean includeDrop() {
      return get(INCLUDE_DROP);
    }

    public boolean truncate() {
      return get(TRUNCATE);
    }

    public boolean createTables() {
      return get(CREATE_TABLES);
    }

    public boolean createIndexes() {
      return get(CREATE_INDEXES);
    }

    public boolean foreignKeys() {
      return get(FOREIGN_KEYS);
    }

    public boolean dataOnly() {
      return get(DATA_ONLY);
    }

    public boolean schemaOnly() {
      return get(SCHEMA_ONLY);
    }

    public boolean analyze() {
      return get(ANALYZE);
    }

    public int indexWorkers() {
      return get(INDEX_WORKERS);
    }

    public boolean resetSequences() {
      return get(RESET_SEQUENCES);
    }

    public OnError onError() {
      return get(ON_ERROR);
    }

    public OnOrphan onOrphan() {
      return get(ON_ORPHAN);
    }

    public NotCarried notCarried() {
      return get(NOT_CARRIED);
    }

    public boolean grants() {
      return get(GRANTS);
    }

    public boolean owners() {
      return get(OWNERS);
    }

    public boolean checkData() {
      return get(CHECK_DATA);
    }

    public List<EncodingRule> encodings() {
      return get(ENCODINGS);
    }

    public boolean consistentSnapshot() {
      return get(SNAPSHOT);
    }

    public int batchRows() {
      return get(BATCH_ROWS);
    }

    public long batchBytes() {
      return get(BATCH_BYTES);
    }

    /** Read partitions per table; 0 for {@code auto}. */
    public int partitionsPerTable() {
      return get(PARTITIONS);
    }

    public int splitThreshold() {
      return get(SPLIT_THRESHOLD);
    }

    public int sideInputMaxKeys() {
      return get(SIDE_INPUT_MAX_KEYS);
    }

    public Verify verify() {
      return get(VERIFY);
    }

    public WritePath writePath() {
      return get(WRITE_PATH);
    }

    public int workers() {
      return get(WORKERS);
    }

    public int partitionRetries() {
      return get(PARTITION_RETRIES);
    }

    public Duration retryBackoff() {
      return get(RETRY_BACKOFF);
    }

    public Duration outageWait() {
      return get(OUTAGE_WAIT);
    }

    /** Whether the run creates the tables (not data-only, create-tables on): else it loads into the target's. */
    public boolean createsTables() {
      return !dataOnly() && createTables();
    }

    /** The same options, loading rows only ({@code --data-only}) or schema only ({@code --schema-only}). */
    public Load withOnly(boolean data, boolean schema) {
      return toBuilder().set(DATA_ONLY, dataOnly() || data).set(SCHEMA_ONLY, schemaOnly() || schema).build();
    }
  }

  /** A builder with no connections yet, every list empty, no renames and every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change some of its parts by name. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The same configuration for a target that is plain PostgreSQL (no distribution). */
  public MigrationConfig withPlainTarget() {
    return toBuilder().targetIsPlainPostgresql(true).build();
  }

  /** The same configuration with other load options. */
  public MigrationConfig withLoad(Load newLoad) {
    return toBuilder().load(newLoad).build();
  }

  /** Whether the table filters select {@code table}. */
  public boolean selects(TableName table) {
    boolean included = include.isEmpty() || include.stream().anyMatch(s -> s.matches(table));
    return included && exclude.stream().noneMatch(s -> s.matches(table));
  }

  /** The file the configuration was read from ({@code command line} without one), for messages. */
  public String origin() {
    return origin;
  }

  public ConnectionSpec source() {
    return source;
  }

  /** The Citus coordinator, or a plain PostgreSQL database ({@link #targetIsPlainPostgresql()}). */
  public ConnectionSpec target() {
    return target;
  }

  public boolean targetIsPlainPostgresql() {
    return targetIsPlainPostgresql;
  }

  /** {@code tables.include}: empty selects every table. */
  public List<TableSelector> include() {
    return include;
  }

  /** {@code tables.exclude}. */
  public List<TableSelector> exclude() {
    return exclude;
  }

  public Renames renames() {
    return renames;
  }

  public List<CastRule> casts() {
    return casts;
  }

  /** The distribution rules: the file's, then those of {@code --distribute}. */
  public List<DistributionRule> rules() {
    return rules;
  }

  public Citus citus() {
    return citus;
  }

  public Load load() {
    return load;
  }

  public List<String> beforeLoad() {
    return beforeLoad;
  }

  public List<String> afterLoad() {
    return afterLoad;
  }

  public List<String> notes() {
    return notes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationConfig c && origin.equals(c.origin) && source.equals(c.source)
        && target.equals(c.target) && targetIsPlainPostgresql == c.targetIsPlainPostgresql
        && include.equals(c.include) && exclude.equals(c.exclude) && renames.equals(c.renames)
        && casts.equals(c.casts) && rules.equals(c.rules) && citus.equals(c.citus) && load.equals(c.load)
        && beforeLoad.equals(c.beforeLoad) && afterLoad.equals(c.afterLoad) && notes.equals(c.notes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, source, target, targetIsPlainPostgresql, include, exclude, renames, casts, rules,
        citus, load, beforeLoad, afterLoad, notes);
  }

  /** Every part; the connections as {@link ConnectionSpec#toString()} gives them, without passwords. */
  @Override
  public String toString() {
    return "MigrationConfig[origin=" + origin + ", source=" + source + ", target=" + target
        + ", targetIsPlainPostgresql=" + targetIsPlainPostgresql + ", include=" + include + ", exclude=" + exclude
        + ", renames=" + renames + ", casts=" + casts + ", rules=" + rules + ", citus=" + citus + ", load=" + load
        + ", beforeLoad=" + beforeLoad + ", afterLoad=" + afterLoad + ", notes=" + notes + "]";
  }

  /** Sets the parts of a {@link MigrationConfig} by name. */
  public static final class Builder {
    private String origin;
    private ConnectionSpec source;
    private ConnectionSpec target;
    private boolean targetIsPlainPostgresql;
    private List<TableSelector> include = List.of();
    private List<TableSelector> exclude = List.of();
    private Renames renames = Renames.NONE;
    private List<CastRule> casts = List.of();
    private List<DistributionRule> rules = List.of();
    private Citus citus = Citus.defaults();
    private Load load = Load.defaults();
    private List<String> beforeLoad = List.of();
    private List<String> afterLoad = List.of();
    private List<String> notes = List.of();

    private Builder() {}

    private Builder(MigrationConfig c) {
      origin = c.origin;
      source = c.source;
      target = c.target;
      targetIsPlainPostgresql = c.targetIsPlainPostgresql;
      include = c.include;
      exclude = c.exclude;
      renames = c.renames;
      casts = c.casts;
      rules = c.rules;
      citus = c.citus;
      load = c.load;
      beforeLoad = c.beforeLoad;
      afterLoad = c.afterLoad;
      notes = c.notes;
    }

    public Builder origin(String value) {
      origin = value;
      return this;
    }

    public Builder source(ConnectionSpec value) {
      source = value;
      return this;
    }

    public Builder target(ConnectionSpec value) {
      target = value;
      return this;
    }

    public Builder targetIsPlainPostgresql(boolean value) {
      targetIsPlainPostgresql = value;
      return this;
    }

    public Builder include(List<TableSelector> value) {
      include = value;
      return this;
    }

    public Builder exclude(List<TableSelector> value) {
      exclude = value;
      return this;
    }

    public Builder renames(Renames value) {
      renames = Objects.requireNonNull(value);
      return this;
    }

    public Builder casts(List<CastRule> value) {
      casts = value;
      return this;
    }

    public Builder rules(List<DistributionRule> value) {
      rules = value;
      return this;
    }

    public Builder citus(Citus value) {
      citus = Objects.requireNonNull(value);
      return this;
    }

    public Builder load(Load value) {
      load = Objects.requireNonNull(value);
      return this;
    }

    public Builder beforeLoad(List<String> value) {
      beforeLoad = value;
      return this;
    }

    public Builder afterLoad(List<String> value) {
      afterLoad = value;
      return this;
    }

    public Builder notes(List<String> value) {
      notes = value;
      return this;
    }

    /** The configuration; origin, source and target must have been set. */
    public MigrationConfig build() {
      return new MigrationConfig(this);
    }
  }
}
