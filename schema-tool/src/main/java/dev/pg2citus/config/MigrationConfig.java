package dev.pg2citus.config;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigOptions.Colocation;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConfigOptions.RefusedKeyActions;
import dev.pg2citus.config.ConfigOptions.Verify;
import java.time.Duration;
import java.util.List;

/**
 * Everything one migration needs to know, read from one YAML file or one pgloader command file, and
 * the command line. Build it with {@link ConfigLoader}; both readers give the same model.
 *
 * <p>{@code beforeLoad} and {@code afterLoad} are SQL scripts run on the target before create and
 * after finalize; {@code notes} say how a pgloader command file's options were taken where pg2citus
 * does something else than pgloader (empty for YAML).
 */
public record MigrationConfig(
    String origin,
    ConnectionSpec source,
    ConnectionSpec target,
    boolean targetIsPlainPostgresql,
    List<TableSelector> include,
    List<TableSelector> exclude,
    Renames renames,
    List<CastRule> casts,
    List<DistributionRule> rules,
    Citus citus,
    Load load,
    List<String> beforeLoad,
    List<String> afterLoad,
    List<String> notes) {

  /** Citus options. */
  public record Citus(int shardCount, boolean autoReferenceTables, Colocation colocation,
      RefusedKeyActions refusedKeyActions, List<FunctionRule> distributeFunctions, List<NameRef> leaveOutForeignKeys) {
    public Citus {
      distributeFunctions = List.copyOf(distributeFunctions);
      leaveOutForeignKeys = List.copyOf(leaveOutForeignKeys);
    }
  }

  /** Load options, as pgloader's {@code WITH} clause has them. */
  public record Load(
      boolean includeDrop,
      boolean truncate,
      boolean createTables,
      boolean createIndexes,
      boolean foreignKeys,
      boolean dataOnly,
      boolean schemaOnly,
      boolean analyze,
      int indexWorkers,
      boolean resetSequences,
      OnError onError,
      OnOrphan onOrphan,
      boolean consistentSnapshot,
      int batchRows,
      long batchBytes,
      int partitionsPerTable,
      int splitThreshold,
      int sideInputMaxKeys,
      Verify verify,
      int workers,
      NotCarried notCarried,
      boolean grants,
      boolean owners,
      boolean checkData,
      int partitionRetries,
      Duration retryBackoff) {

    /** Whether the run creates the tables (not data-only, create-tables on): else it loads into the target's. */
    public boolean createsTables() {
      return !dataOnly && createTables;
    }

    /** The same options, loading rows only ({@code --data-only}) or schema only ({@code --schema-only}). */
    public Load withOnly(boolean data, boolean schema) {
      return new Load(includeDrop, truncate, createTables, createIndexes, foreignKeys, dataOnly || data,
          schemaOnly || schema, analyze, indexWorkers, resetSequences, onError, onOrphan, consistentSnapshot,
          batchRows, batchBytes, partitionsPerTable, splitThreshold, sideInputMaxKeys, verify, workers, notCarried,
          grants, owners, checkData, partitionRetries, retryBackoff);
    }
  }

  public MigrationConfig {
    source = source.asReadOnly(); // pg2citus never writes its source, whatever a bug or mix-up would do
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    casts = List.copyOf(casts);
    rules = List.copyOf(rules);
    beforeLoad = List.copyOf(beforeLoad);
    afterLoad = List.copyOf(afterLoad);
    notes = List.copyOf(notes);
  }

  /** The same configuration for a target that is plain PostgreSQL (no distribution). */
  public MigrationConfig withPlainTarget() {
    return new MigrationConfig(origin, source, target, true, include, exclude, renames, casts, rules, citus, load,
        beforeLoad, afterLoad, notes);
  }

  /** The same configuration with other load options. */
  public MigrationConfig withLoad(Load newLoad) {
    return new MigrationConfig(origin, source, target, targetIsPlainPostgresql, include, exclude, renames, casts,
        rules, citus, newLoad, beforeLoad, afterLoad, notes);
  }

  /** Whether the table filters select {@code table}. */
  public boolean selects(TableName table) {
    boolean included = include.isEmpty() || include.stream().anyMatch(s -> s.matches(table));
    return included && exclude.stream().noneMatch(s -> s.matches(table));
  }
}
