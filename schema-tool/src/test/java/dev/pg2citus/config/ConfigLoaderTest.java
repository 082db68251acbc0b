package dev.pg2citus.config;

import static dev.pg2citus.config.ConfigOptions.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigLoader.Overrides;
import dev.pg2citus.config.ConfigOptions.Colocation;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.config.ConfigOptions.NotCarried;
import dev.pg2citus.config.ConfigOptions.OnOrphan;
import dev.pg2citus.config.ConfigOptions.RefusedKeyActions;
import dev.pg2citus.config.ConfigOptions.Verify;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  /** The environment the loader sees; nothing else of the process environment leaks in. */
  private static final Map<String, String> ENV = Map.of("PGPASS", "pa55word", "SHARDS", "48");

  /** Lines 1–4 of every test file; whatever follows starts at line 5. */
  private static final String HEADER = """
      source:
        url: jdbc:postgresql://src.example/shop
      target:
        url: jdbc:postgresql://dst.example/shop
      """;

  private static MigrationConfig parse(String yaml) {
    return new ConfigLoader(ENV::get).parse(yaml, "test.yaml", Overrides.none());
  }

  private static ConfigException fails(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
  }

  // ---- a full configuration

  @Test
  void readsEveryFieldOfAFullConfiguration() {
    MigrationConfig config = parse("""
        source:
          url: jdbc:postgresql://src.example:5432/shop
          user: reader
          password: ${PGPASS}
          properties:
            sslmode: require
            ApplicationName: migrate
        target:
          url: postgresql://coord.example/shop
          user: writer
          password: ${TARGET_PW:-fallback}
          plain-postgresql: true
        tables:
          include:
            - public.companies
            - 'sales."Orders"'
            - schema: archive
              name-matches: ^log_
          exclude:
            - name: log_tmp
            - schema-matches: ^arch
              name-matches: _old$
        casts:
          - column: ads.budget
            to: numeric(12,2)
            drop-default: true
          - type: integer
            to: bigint
            drop-typmod: yes
            drop-not-null: true
        distribute:
          - companies using id
          - ads using company_id from campaigns
          - countries as reference table
          - table: clicks
            using: company_id
            from: [ads, campaigns]
          - table: currencies
            reference: true
          - table: impressions
            using: company_id
            from: ads
        citus:
          shard-count: ${SHARDS}
          auto-reference-tables: true
          colocation: citus-default
          refused-key-actions: drop
          leave-out-foreign-keys: [orders.orders_customer_fkey, 'sales."Orders".x_fkey']
        load:
          include-drop: true
          truncate: yes
          create-tables: false
          create-indexes: false
          foreign-keys: off
          data-only: true
          analyze: false
          index-workers: 3
          reset-sequences: false
          on-error: REJECT
          on-orphan: stop
          not-carried: error
          grants: no
          check-data: false
          verify: checksums
          consistent-snapshot: false
          batch-rows: 1_000
          batch-bytes: 4MB
          partitions-per-table: 8
          split-threshold: 50000
          workers: 2
          partition-retries: 5
          retry-backoff: 250ms
        """);

    assertEquals("test.yaml", config.origin());
    ConnectionSpec source = config.source();
    assertEquals("jdbc:postgresql://src.example:5432/shop", source.url());
    assertEquals("reader", source.user());
    assertEquals("pa55word", source.password());
    assertEquals(Map.of("sslmode", "require", "ApplicationName", "migrate"), source.properties());
    assertFalse(source.toString().contains("pa55word"), source.toString());

    ConnectionSpec target = config.target();
    assertEquals("jdbc:postgresql://coord.example/shop", target.url());
    assertEquals("writer", target.user());
    assertEquals("fallback", target.password());
    assertEquals(Map.of(), target.properties());
    assertTrue(config.targetIsPlainPostgresql());

    assertEquals(3, config.include().size());
    assertEquals(2, config.exclude().size());
    TableSelector orders = config.include().get(1);
    assertEquals("sales", orders.schema());
    assertEquals("Orders", orders.name());
    assertEquals("archive", config.include().get(2).schema());
    assertEquals("^log_", config.include().get(2).namePattern().pattern());
    assertTrue(config.selects(new TableName("public", "companies")));
    assertTrue(config.selects(new TableName("sales", "Orders")));
    assertFalse(config.selects(new TableName("sales", "orders")), "quoted names keep their case");
    assertTrue(config.selects(new TableName("archive", "log_2024")));
    assertFalse(config.selects(new TableName("archive", "log_tmp")), "excluded by name");
    assertFalse(config.selects(new TableName("archive", "log_2019_old")), "excluded by regex");
    assertFalse(config.selects(new TableName("public", "ads")), "not included");

    assertEquals(2, config.casts().size());
    CastRule byColumn = config.casts().get(0);
    assertEquals(List.of("ads", "budget"), byColumn.column().parts());
    assertNull(byColumn.sourceType());
    assertEquals("numeric(12,2)", byColumn.targetType());
    assertTrue(byColumn.dropDefault());
    assertFalse(byColumn.dropTypmod() || byColumn.dropNotNull() || byColumn.setNotNull());
    assertEquals(new ConfigLocation("test.yaml", 24, "casts[0]"), byColumn.location());
    CastRule byType = config.casts().get(1);
    assertNull(byType.column());
    assertEquals("integer", byType.sourceType());
    assertEquals("bigint", byType.targetType());
    assertTrue(byType.dropTypmod());
    assertTrue(byType.dropNotNull());
    assertFalse(byType.dropDefault() || byType.setNotNull());

    List<DistributionRule> rules = config.rules();
    assertEquals(List.of("companies using id", "ads using company_id from campaigns",
        "countries as reference table", "clicks using company_id from ads, campaigns",
        "currencies as reference table", "impressions using company_id from ads"),
        rules.stream().map(DistributionRule::toString).toList());
    assertEquals("id", rules.get(0).column());
    assertTrue(rules.get(0).from().isEmpty());
    assertEquals(List.of("campaigns"), rules.get(1).from().stream().map(NameRef::name).toList());
    assertTrue(rules.get(2).isReference());
    assertEquals("clicks", rules.get(3).table().name());
    assertEquals(List.of("ads", "campaigns"), rules.get(3).from().stream().map(NameRef::name).toList());
    assertTrue(rules.get(4).isReference());
    assertEquals(new ConfigLocation("test.yaml", 32, "distribute[0]"), rules.get(0).location());
    assertEquals(new ConfigLocation("test.yaml", 35, "distribute[3]"), rules.get(3).location());

    assertEquals(MigrationConfig.Citus.builder()
        .set(SHARD_COUNT, 48)
        .set(AUTO_REFERENCE, true)
        .set(COLOCATION, Colocation.CITUS_DEFAULT)
        .set(REFUSED_KEY_ACTIONS, RefusedKeyActions.DROP)
        .set(DISTRIBUTE_FUNCTIONS, List.of())
        .set(LEAVE_OUT_FOREIGN_KEYS, List.of(new NameRef(List.of("orders", "orders_customer_fkey")),
            new NameRef(List.of("sales", "Orders", "x_fkey"))))
        .build(), config.citus());
    assertEquals(MigrationConfig.Load.builder()
        .set(INCLUDE_DROP, true)
        .set(TRUNCATE, true)
        .set(CREATE_TABLES, false)
        .set(CREATE_INDEXES, false)
        .set(FOREIGN_KEYS, false)
        .set(DATA_ONLY, true)
        .set(SCHEMA_ONLY, false)
        .set(ANALYZE, false)
        .set(INDEX_WORKERS, 3)
        .set(RESET_SEQUENCES, false)
        .set(ON_ERROR, OnError.REJECT)
        .set(ON_ORPHAN, OnOrphan.STOP)
        .set(SNAPSHOT, false)
        .set(BATCH_ROWS, 1000)
        .set(BATCH_BYTES, 4L << 20)
        .set(PARTITIONS, 8)
        .set(SPLIT_THRESHOLD, 50_000)
        .set(SIDE_INPUT_MAX_KEYS, 10_000_000)
        .set(VERIFY, Verify.CHECKSUMS)
        .set(WORKERS, 2)
        .set(NOT_CARRIED, NotCarried.ERROR)
        .set(GRANTS, false)
        .set(OWNERS, true)
        .set(CHECK_DATA, false)
        .set(PARTITION_RETRIES, 5)
        .set(RETRY_BACKOFF, Duration.ofMillis(250))
        .build(), config.load());
  }

  @Test
  void absentKeysTakeTheirDefaults() {
    MigrationConfig config = parse(HEADER);

    assertNull(config.source().user());
    assertNull(config.source().password());
    assertEquals(Map.of(), config.source().properties());
    assertFalse(config.targetIsPlainPostgresql());
    assertTrue(config.include().isEmpty());
    assertTrue(config.exclude().isEmpty());
    assertTrue(config.casts().isEmpty());
    assertTrue(config.rules().isEmpty());
    assertTrue(config.selects(new TableName("any", "table")), "no include selects every table");

    assertEquals(MigrationConfig.Citus.builder()
        .set(SHARD_COUNT, 32)
        .set(AUTO_REFERENCE, false)
        .set(COLOCATION, Colocation.BY_ROOT)
        .set(REFUSED_KEY_ACTIONS, RefusedKeyActions.ERROR)
        .set(DISTRIBUTE_FUNCTIONS, List.of())
        .set(LEAVE_OUT_FOREIGN_KEYS, List.of())
        .build(), config.citus());
    assertEquals(MigrationConfig.Load.builder()
        .set(INCLUDE_DROP, false)
        .set(TRUNCATE, false)
        .set(CREATE_TABLES, true)
        .set(CREATE_INDEXES, true)
        .set(FOREIGN_KEYS, true)
        .set(DATA_ONLY, false)
        .set(SCHEMA_ONLY, false)
        .set(ANALYZE, true)
        .set(INDEX_WORKERS, 2)
        .set(RESET_SEQUENCES, true)
        .set(ON_ERROR, OnError.STOP)
        .set(ON_ORPHAN, OnOrphan.REJECT)
        .set(SNAPSHOT, true)
        .set(BATCH_ROWS, 100_000)
        .set(BATCH_BYTES, 64L << 20)
        .set(PARTITIONS, 0)
        .set(SPLIT_THRESHOLD, 250_000)
        .set(SIDE_INPUT_MAX_KEYS, 10_000_000)
        .set(VERIFY, Verify.COUNTS)
        .set(WORKERS, 4)
        .set(NOT_CARRIED, NotCarried.WARN)
        .set(GRANTS, true)
        .set(OWNERS, true)
        .set(CHECK_DATA, true)
        .set(PARTITION_RETRIES, 3)
        .set(RETRY_BACKOFF, Duration.ofSeconds(1))
        .build(), config.load());
    // The defaults the reference documents are the ones applied.
    assertEquals(ConfigOptions.SHARD_COUNT.defaultValue(), config.citus().shardCount());
    assertEquals(ConfigOptions.BATCH_BYTES.defaultValue(), config.load().batchBytes());
    assertEquals(ConfigOptions.WORKERS.defaultValue(), config.load().workers());
  }

  @Test
  void sectionsAreBuiltByOptionName() {
    MigrationConfig config = parse(HEADER + "load:\n  workers: 7\n  create-tables: false\n");
    MigrationConfig.Load dataOnly = config.load().withOnly(true, false);
    assertTrue(dataOnly.dataOnly());
    assertFalse(dataOnly.schemaOnly());
    assertEquals(config.load().toBuilder().set(DATA_ONLY, true).build(), dataOnly, "nothing else changes");
    assertEquals(7, dataOnly.workers());
    assertFalse(dataOnly.createTables());
    assertEquals(config.load(), config.load().withOnly(false, false));
    assertEquals(MigrationConfig.Load.defaults(), parse(HEADER).load());
    assertEquals(MigrationConfig.Citus.defaults(), parse(HEADER).citus());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MigrationConfig.Load.builder().set(SHARD_COUNT, 8));
    assertMentions(e, "citus.shard-count is not an option of the load section");

    MigrationConfig plain = config.withPlainTarget();
    assertTrue(plain.targetIsPlainPostgresql());
    assertEquals(config, plain.toBuilder().targetIsPlainPostgresql(false).build(), "nothing else changes");
    assertEquals(dataOnly, config.withLoad(dataOnly).load());
  }

  @Test
  void emptySectionsAndNullValuesAlsoTakeTheDefaults() {
    MigrationConfig config = parse(HEADER + """
        citus:
        load:
          batch-rows:
          partitions-per-table: auto
        """);
    assertEquals(32, config.citus().shardCount());
    assertEquals(100_000, config.load().batchRows());
    assertEquals(0, config.load().partitionsPerTable());
  }

  // ---- environment variables

  @Test
  void variableWithDefaultTakesTheDefaultWhenUnset() {
    MigrationConfig config = parse("""
        source:
          url: jdbc:postgresql://${SRC_HOST:-localhost}:5432/app
          password: ${MISSING_PASSWORD:-}
        target:
          url: jdbc:postgresql://dst/app
          password: ${PGPASS:-unused}
        """);
    assertEquals("jdbc:postgresql://localhost:5432/app", config.source().url());
    assertEquals("", config.source().password());
    assertEquals("pa55word", config.target().password(), "a set variable wins over its default");
  }

  @Test
  void pgPasswordIsTheFallbackAfterTheUrlAndTheFile() {
    ConfigLoader loader = new ConfigLoader(Map.of("PGPASSWORD", "from-env")::get);
    MigrationConfig config = loader.parse("""
        source:
          url: jdbc:postgresql://src/app
          password: ${MISSING_PASSWORD:-}
        target:
          url: jdbc:postgresql://dst/app
          password: from-file
        """, "test.yaml", new Overrides(null, "postgresql://app:from-url@dst/app", List.of()));
    assertEquals("from-env", config.source().password(), "an empty password counts as none");
    assertEquals("from-url", config.target().password(), "the URL's wins over the file's and PGPASSWORD");
    MigrationConfig inUrl = loader.parse("""
        source:
          url: jdbc:postgresql://src/app?password=in-url
        target:
          url: jdbc:postgresql://dst/app
          password: from-file
        """, "test.yaml", Overrides.none());
    assertNull(inUrl.source().password(), "pgjdbc takes password= from the URL");
    assertEquals("from-file", inUrl.target().password());
  }

  @Test
  void unsetVariableWithoutDefaultNamesTheVariableAndLine() {
    ConfigException e = fails("""
        source:
          url: jdbc:postgresql://src/app
          user: app
          password: ${SOURCE_PASSWORD}
        target:
          url: jdbc:postgresql://dst/app
        """);
    assertMentions(e, "test.yaml:4", "source.password", "SOURCE_PASSWORD", "is not set");
    assertEquals(new ConfigLocation("test.yaml", 4, "source.password"), e.location());
  }

  // ---- unknown keys

  @Test
  void renameRulesByTableOrPatternApplyInOrder() {
    Renames renames = parse(HEADER + """
        rename:
          schemas: { public: app }
          tables:
            - { table: '"Sales Dept"."Customer"', rename-to: clients }
            - { name-matches: '^ad', rename-to: adverts }
            - { schema: public, name: adverts, set-schema: ads }
        """).renames();
    assertEquals(new TableName("Sales Dept", "clients"), renames.of(new TableName("Sales Dept", "Customer")));
    assertEquals(new TableName("app", "adverts"), renames.of(new TableName("public", "ads")));
    assertEquals(new TableName("ads", "adverts"), renames.of(new TableName("public", "adverts")),
        "rules match source names; a later one's action wins");
    assertEquals(new TableName("app", "companies"), renames.of(new TableName("public", "companies")));
  }

  @Test
  void renameRulesThatCannotBeCarriedOutAreRefusedAtTheirLine() {
    assertMentions(fails(HEADER + "rename:\n  tables:\n    - { table: ads, name: x, rename-to: y }\n"),
        "test.yaml:7", "rename.tables[0]", "as 'table' or as schema/name patterns, not both");
    assertMentions(fails(HEADER + "rename:\n  tables:\n    - { name: ads }\n"), "rename.tables[0]",
        "needs rename-to or set-schema");
    assertMentions(fails(HEADER + "rename:\n  tables:\n    - { name: ads, rename-to: '' }\n"),
        "rename.tables[0].rename-to", "a new name cannot be empty");
    assertMentions(fails(HEADER + "rename:\n  schemas: { public: ' ' }\n"), "rename.schemas.public",
        "a new name cannot be empty");
  }

  @Test
  void nodeAddressesMapPgDistNodeNamesToAddressesAndConnectionsToANodeUseThem() {
    MigrationConfig config = parse("""
        source:
          url: jdbc:postgresql://src.example/shop
        target:
          url: jdbc:postgresql://dst.example/shop?sslmode=require
          node-addresses:
            10.0.0.5:5432: worker-1.example.com:6432
            '[fd00::7]:5432': '[fd00::8]:5433'
        """);
    assertEquals(Map.of("10.0.0.5:5432", "worker-1.example.com:6432", "fd00::7:5432", "fd00::8:5433"),
        config.target().nodeAddresses());
    assertEquals("jdbc:postgresql://worker-1.example.com:6432/shop?sslmode=require",
        config.target().atNode("10.0.0.5", 5432).url());
    assertEquals("jdbc:postgresql://[fd00::8]:5433/shop?sslmode=require", config.target().atNode("fd00::7", 5432).url());
    assertEquals("jdbc:postgresql://10.0.0.6:5432/shop?sslmode=require", config.target().atNode("10.0.0.6", 5432).url(),
        "a node without an entry is reached as pg_dist_node names it");
  }

  @Test
  void aNodeAddressThatIsNotHostAndPortIsRefusedAtItsLine() {
    ConfigException e = fails(HEADER + """
          node-addresses:
            10.0.0.5:5432: worker-1.example.com
        """);
    assertMentions(e, "test.yaml:6", "target.node-addresses", "'worker-1.example.com' (for 10.0.0.5:5432) is not a"
        + " host:port to connect to");
    ConfigException key = fails(HEADER + """
          node-addresses:
            worker-1: worker-1.example.com:5432
        """);
    assertMentions(key, "target.node-addresses", "'worker-1' is not a node's host:port as pg_dist_node holds it");
  }

  @Test
  void unknownTopLevelKey() {
    ConfigException e = fails(HEADER + """
        distribution:
          - companies using id
        """);
    assertMentions(e, "test.yaml:5", "distribution", "unknown key 'distribution'",
        "expected one of: source, target, tables, rename, casts, distribute, before-load, after-load, citus, load");
  }

  @Test
  void unknownKeyInsideLoadListsTheLoadKeys() {
    ConfigException e = fails(HEADER + """
        load:
          workers: 2
          batch-row: 100
        """);
    assertMentions(e, "test.yaml:7", "load.batch-row", "unknown key 'batch-row'", "expected one of:");
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      if (option.section().equals("load")) {
        assertMentions(e, option.key().substring("load.".length()));
      }
    }
  }

  @Test
  void dottedKeysAreNotSectionPaths() {
    // The reference lists keys as load.batch-rows; written that way at the top level, the error
    // must name the key as written.
    ConfigException topLevel = fails(HEADER + """
        load.batch-rows: 100
        """);
    assertMentions(topLevel, "test.yaml:5", "unknown key 'load.batch-rows'");
    // A dotted key whose last part happens to be a known key must not be accepted and ignored.
    ConfigException nested = fails(HEADER + """
        load:
          copy.workers: 8
        """);
    assertMentions(nested, "test.yaml:6", "unknown key 'copy.workers'");
  }

  @Test
  void misspelledKeyInACastRule() {
    ConfigException e = fails(HEADER + """
        casts:
          - type: integer
            to: bigint
          - column: ads.budget
            drop-defualt: true
        """);
    assertMentions(e, "test.yaml:9", "casts[1].drop-defualt", "unknown key 'drop-defualt'",
        "expected one of: column, type, to, drop-default, drop-typmod, drop-not-null, set-not-null");
  }

  // ---- wrong types

  @ParameterizedTest(name = "{0}.{1}: {2}")
  @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
      "load  ; batch-rows           ; lots   ; expected a whole number, got 'lots'",
      "load  ; include-drop         ; maybe  ; expected true or false, got 'maybe'",
      "citus ; shard-count          ; 0      ; must be between 1 and 64000, got 0",
      "load  ; on-error             ; ignore ; expected one of stop | reject, got 'ignore'",
      "load  ; batch-bytes          ; 12XB   ; expected a size such as 16MB, got '12XB'",
      "load  ; batch-bytes          ; 0MB    ; must be greater than zero",
      "load  ; partitions-per-table ; 5000   ; must be auto or between 1 and 4096, got 5000",
      "citus ; colocation           ; random ; expected one of by-root | citus-default, got 'random'",
      "load  ; retry-backoff        ; 5      ; expected a duration such as 500ms, 2s or 1min, got '5'",
      "load  ; partition-retries    ; -1     ; must be between 0 and 100, got -1",
  })
  void wrongValueNamesFileLineKeyAndProblem(String section, String key, String value, String problem) {
    String before = section.equals("load") ? "  workers: 3\n" : "  auto-reference-tables: false\n";
    ConfigException e = fails(HEADER + section + ":\n" + before + "  " + key + ": " + value + "\n");
    assertMentions(e, "test.yaml:7: " + section + "." + key + ": " + problem);
    assertEquals(new ConfigLocation("test.yaml", 7, section + "." + key), e.location());
  }

  @Test
  void sizeTooLargeIsAConfigError() {
    ConfigException e = fails(HEADER + """
        load:
          batch-bytes: 99999999999999999999
        """);
    assertMentions(e, "test.yaml:6", "load.batch-bytes");
    ConfigException overflow = fails(HEADER + """
        load:
          batch-bytes: 99999999999GB
        """);
    assertMentions(overflow, "test.yaml:6", "load.batch-bytes");
  }

  @Test
  void aListWhereAValueIsExpected() {
    ConfigException e = fails(HEADER + """
        load:
          workers: [1, 2]
        """);
    assertMentions(e, "test.yaml:6", "load.workers", "expected a single value");
  }

  // ---- combinations that contradict each other

  @Test
  void dataOnlyAndSchemaOnlyTogether() {
    ConfigException e = fails(HEADER + """
        load:
          data-only: true
          schema-only: true
        """);
    assertMentions(e, "test.yaml:7", "load.schema-only", "data-only and schema-only cannot both be true");
  }

  @Test
  void castRuleWithBothColumnAndType() {
    ConfigException e = fails(HEADER + """
        casts:
          - column: ads.budget
            type: integer
            to: bigint
        """);
    assertMentions(e, "test.yaml:6", "casts[0]", "exactly one of 'column' (table.column) or 'type'");
  }

  @Test
  void castRuleWithNeitherColumnNorType() {
    ConfigException e = fails(HEADER + """
        casts:
          - to: bigint
        """);
    assertMentions(e, "test.yaml:6", "casts[0]", "exactly one of");
  }

  @Test
  void castRuleWithDropAndSetNotNull() {
    ConfigException e = fails(HEADER + """
        casts:
          - type: integer
          - column: ads.budget
            drop-not-null: true
            set-not-null: true
        """);
    assertMentions(e, "test.yaml:7", "casts[1]", "drop-not-null and set-not-null cannot both be true");
  }

  @Test
  void castColumnWithoutTable() {
    ConfigException e = fails(HEADER + """
        casts:
          - column: budget
            to: numeric
        """);
    assertMentions(e, "test.yaml:6", "casts[0].column", "table.column");
  }

  @Test
  void encodingRulesAreReadAndAnUnknownEncodingIsRefusedAtItsLine() {
    MigrationConfig config = parse(HEADER + """
        load:
          encodings:
            - { table: legacy.people, encoding: latin1 }
            - { column: notes.body, encoding: WIN1252 }
        """);
    assertEquals("[table legacy.people in LATIN1, column notes.body in WIN1252]",
        config.load().encodings().toString());
    ConfigException e = fails(HEADER + """
        load:
          encodings:
            - { table: people, encoding: latin-1 }
        """);
    assertMentions(e, "test.yaml:7", "load.encodings", "'latin-1' is not one of PostgreSQL's encodings", "LATIN1");
  }

  @Test
  void distributeRuleThatDoesNotParse() {
    ConfigException e = fails(HEADER + """
        distribute:
          - companies using id
          - companies distributed by id
        """);
    assertMentions(e, "test.yaml:7", "distribute[1]", "rule 'companies distributed by id' is not one of",
        "<table> using <column>", "<table> as reference table");
  }

  @Test
  void distributeRuleWithUnclosedQuote() {
    ConfigException e = fails(HEADER + """
        distribute:
          - '"My Table using id'
        """);
    assertMentions(e, "test.yaml:6", "distribute[0]", "unclosed double quote");
  }

  @Test
  void distributeMappingNeedsUsingOrReference() {
    ConfigException both = fails(HEADER + """
        distribute:
          - table: countries
            using: code
            reference: true
        """);
    assertMentions(both, "test.yaml:6", "distribute[0]", "either 'using: column' or 'reference: true'");
    ConfigException noTable = fails(HEADER + """
        distribute:
          - using: id
        """);
    assertMentions(noTable, "test.yaml:6", "distribute[0]", "needs 'table'");
    ConfigException referenceWithPath = fails(HEADER + """
        distribute:
          - table: countries
            reference: true
            from: regions
        """);
    assertMentions(referenceWithPath, "test.yaml:8", "distribute[0].from", "takes no 'from' path");
  }

  // ---- YAML itself

  @Test
  void duplicateKey() {
    ConfigException e = fails(HEADER + """
        load:
          workers: 2
          truncate: true
          workers: 3
        """);
    assertMentions(e, "test.yaml:8", "load.workers", "given twice");
  }

  @Test
  void invalidYamlNamesTheLine() {
    ConfigException e = fails(HEADER + """
        load:
          workers: [2, 3
          truncate: true
        citus:
          shard-count: 4
        """);
    assertMentions(e, "test.yaml:", "not valid YAML");
    int line = e.location().line();
    assertTrue(line >= 6 && line <= 9, "line " + line + " in: " + e.getMessage());
    assertMentions(e, "test.yaml:" + line);
  }

  @Test
  void badIndentationNamesItsLine() {
    ConfigException e = fails(HEADER + """
        load:
          workers: 2
         truncate: true
        """);
    assertMentions(e, "not valid YAML");
    assertEquals(7, e.location().line(), e.getMessage());
    assertMentions(e, "test.yaml:7");
  }

  @Test
  void topLevelMustBeAMapping() {
    ConfigException e = fails("- source\n- target\n");
    assertMentions(e, "test.yaml:1", "must be a mapping");
  }

  @Test
  void missingSourceUrl() {
    ConfigException e = fails("""
        target:
          url: jdbc:postgresql://dst/app
        """);
    assertMentions(e, "test.yaml", "source.url is missing", "--source");
  }

  // ---- command line

  @Test
  void urlsOnTheCommandLineNeedNoFile() {
    MigrationConfig config = new ConfigLoader(ENV::get).load(null, new Overrides(
        "postgresql://alice@src.example/app", "jdbc:postgresql://dst.example/app",
        List.of("ads using company_id from campaigns")));

    assertEquals("command line", config.origin());
    assertEquals("jdbc:postgresql://src.example/app", config.source().url());
    assertEquals("alice", config.source().user());
    assertEquals("jdbc:postgresql://dst.example/app", config.target().url());
    assertEquals(1, config.rules().size());
    DistributionRule rule = config.rules().get(0);
    assertEquals("ads using company_id from campaigns", rule.toString());
    assertEquals("command line", rule.location().source());
    assertEquals(ConfigOptions.BATCH_ROWS.defaultValue(), config.load().batchRows());
  }

  @Test
  void oneUrlWithoutFileIsNotEnough() {
    ConfigLoader loader = new ConfigLoader(ENV::get);
    ConfigException onlySource = assertThrows(ConfigException.class,
        () -> loader.load(null, new Overrides("jdbc:postgresql://src/app", null, List.of())));
    assertMentions(onlySource, "command line", "--source", "--target");
    ConfigException onlyTarget = assertThrows(ConfigException.class,
        () -> loader.load(null, new Overrides(null, "jdbc:postgresql://dst/app", List.of())));
    assertMentions(onlyTarget, "--source", "--target");
  }

  @Test
  void commandLineRulesComeAfterTheFileRulesAndOverridesWin() {
    MigrationConfig config = new ConfigLoader(ENV::get).parse(HEADER + """
        distribute:
          - companies using id
          - campaigns using company_id
        """, "test.yaml", new Overrides("jdbc:postgresql://other-src/app", null,
        List.of("ads using company_id from campaigns", "countries as reference table")));

    assertEquals("jdbc:postgresql://other-src/app", config.source().url());
    assertEquals("jdbc:postgresql://dst.example/shop", config.target().url());
    assertEquals(List.of("companies using id", "campaigns using company_id",
        "ads using company_id from campaigns", "countries as reference table"),
        config.rules().stream().map(DistributionRule::toString).toList());
    assertEquals(new ConfigLocation("test.yaml", 6, "distribute[0]"), config.rules().get(0).location());
    ConfigLocation fromCommandLine = config.rules().get(2).location();
    assertEquals("command line", fromCommandLine.source());
    assertTrue(fromCommandLine.toString().startsWith("command line"), fromCommandLine.toString());
    assertTrue(fromCommandLine.toString().contains("--distribute"), fromCommandLine.toString());
  }

  @Test
  void badCommandLineRuleAndUrlNameTheOption() {
    ConfigLoader loader = new ConfigLoader(ENV::get);
    ConfigException rule = assertThrows(ConfigException.class, () -> loader.parse(HEADER, "test.yaml",
        new Overrides(null, null, List.of("ads by company_id"))));
    assertMentions(rule, "command line", "--distribute", "ads by company_id", "is not one of");
    ConfigException url = assertThrows(ConfigException.class, () -> loader.parse(HEADER, "test.yaml",
        new Overrides("mysql://root:hunter2@db/app", null, List.of())));
    assertMentions(url, "command line", "--source", "expected a jdbc:postgresql://");
    assertFalse(url.getMessage().contains("hunter2"), url.getMessage());
  }

  @Test
  void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("migrate.yaml");
    Files.writeString(file, HEADER + "load:\n  workers: 7\n");
    MigrationConfig config = new ConfigLoader(ENV::get).load(file, Overrides.none());
    assertEquals(file.toString(), config.origin());
    assertEquals(7, config.load().workers());

    Files.writeString(file, HEADER + "load:\n  workers: many\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> new ConfigLoader(ENV::get).load(file, Overrides.none()));
    assertMentions(e, file + ":6", "load.workers");

    ConfigException missing = assertThrows(ConfigException.class,
        () -> new ConfigLoader(ENV::get).load(dir.resolve("absent.yaml"), Overrides.none()));
    assertMentions(missing, "absent.yaml", "cannot read the file");
  }

  // ---- URLs and secrets

  @Test
  void libpqUriBecomesJdbcUrlWithUserAndPasswordMovedOut() {
    ConnectionSpec spec = ConnectionSpec.fromUrl("postgresql://alice:s3cret@db.example:5433/app?sslmode=require");
    assertEquals("jdbc:postgresql://db.example:5433/app?sslmode=require", spec.url());
    assertEquals("alice", spec.user());
    assertEquals("s3cret", spec.password());
    assertFalse(spec.toString().contains("s3cret"), spec.toString());
    assertFalse(spec.redactedUrl().contains("s3cret"), spec.redactedUrl());
    assertTrue(spec.toString().contains("alice"), spec.toString());
  }

  @Test
  void uriInTheFileGivesUserAndPassword() {
    MigrationConfig config = parse("""
        source:
          url: postgres://alice:p%40ss%3Aword@db.example/app
          user: ignored
        target:
          url: pgsql://db.example:6432/app
        """);
    assertEquals("jdbc:postgresql://db.example/app", config.source().url());
    assertEquals("alice", config.source().user(), "the URL's user wins");
    assertEquals("p@ss:word", config.source().password());
    assertFalse(config.source().toString().contains("p@ss"), config.source().toString());
    assertEquals("jdbc:postgresql://db.example:6432/app", config.target().url());
  }

  @Test
  void plusInAUriPasswordIsKept() {
    // libpq percent-decodes the user info; '+' is a plain character there, not a space.
    ConnectionSpec spec = ConnectionSpec.fromUrl("postgresql://bob:pa+ss%2Bword@h/db");
    assertEquals("pa+ss+word", spec.password());
  }

  @Test
  void hostNamesWithUnderscoresAndPasswordsWithAtAndSlashAreRead() {
    ConnectionSpec compose = ConnectionSpec.fromUrl("postgresql://app:secret@citus_coord:5432/prod");
    assertEquals("jdbc:postgresql://citus_coord:5432/prod", compose.url());
    assertEquals("app", compose.user());
    assertEquals("secret", compose.password());
    ConnectionSpec odd = ConnectionSpec.fromUrl("postgresql://app:p@ss/w0rd@db.internal/prod?sslmode=require");
    assertEquals("jdbc:postgresql://db.internal/prod?sslmode=require", odd.url());
    assertEquals("p@ss/w0rd", odd.password());
    assertEquals("jdbc:postgresql://localhost/db", ConnectionSpec.fromUrl("postgresql:///db").url());
  }

  @Test
  void badUrlsNeverEchoThePassword() {
    for (String url : List.of("postgresql://app:Hunter/2 x@db internal/prod", "mysql://app:Hunter2@h/db")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromUrl(url));
      assertFalse(e.getMessage().contains("Hunter"), e.getMessage());
    }
    String masked = ConnectionSpec.redact("failed: postgresql://app:Hunter2@x@db.internal/prod");
    assertFalse(masked.contains("Hunter2"), masked);
    assertTrue(masked.contains("db.internal/prod"), masked);
  }

  @Test
  void passwordsInTextAndUrlsAreRedacted() {
    String redacted = ConnectionSpec.redact("jdbc:postgresql://h/db?user=a&password=xyz");
    assertFalse(redacted.contains("xyz"), redacted);
    assertTrue(redacted.contains("user=a"), redacted);
    String userInfo = ConnectionSpec.redact("could not reach postgresql://bob:topsecret@h:5432/db");
    assertFalse(userInfo.contains("topsecret"), userInfo);
    assertTrue(userInfo.contains("bob"), userInfo);
    ConnectionSpec jdbc = ConnectionSpec.fromUrl("jdbc:postgresql://h/db?PassWord=xyz&ssl=true");
    assertFalse(jdbc.toString().contains("xyz"), jdbc.toString());
    assertTrue(jdbc.redactedUrl().contains("ssl=true"), jdbc.redactedUrl());
    assertNull(ConnectionSpec.redact(null));
  }

  @Test
  void unsupportedUrlInTheFileNamesItsLineWithoutThePassword() {
    ConfigException e = fails("""
        source:
          url: jdbc:postgresql://src/app
        target:
          url: mysql://root:hunter2@db/app
        """);
    assertMentions(e, "test.yaml:4", "target.url", "expected a jdbc:postgresql:// or postgresql:// URL");
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  // ---- names

  @Test
  void quotedNamesKeepCaseAndSpaces() {
    DistributionRule rule = DistributionRule.parse("\"My Table\" using \"Company Id\"", ConfigLocation.commandLine("x"));
    assertEquals(List.of("My Table"), rule.table().parts());
    assertEquals("Company Id", rule.column());
    assertTrue(rule.from().isEmpty());
  }

  @Test
  void unquotedNamesFoldToLowerCase() {
    DistributionRule rule = DistributionRule.parse("  Companies USING Company_ID From Campaigns, Public.ADS ",
        ConfigLocation.commandLine("x"));
    assertEquals("companies", rule.table().name());
    assertEquals("company_id", rule.column());
    assertEquals(List.of(List.of("campaigns"), List.of("public", "ads")),
        rule.from().stream().map(NameRef::parts).toList());
  }

  @Test
  void schemaQualifiedNames() {
    NameRef ref = NameRef.parse("sales.\"Orders\"", 2, "table");
    assertEquals("sales", ref.schema());
    assertEquals("Orders", ref.name());
    NameRef both = NameRef.parse("\"Sales Dept\".\"Customer\"", 2, "table");
    assertEquals(List.of("Sales Dept", "Customer"), both.parts());
    assertNull(NameRef.parse("orders", 2, "table").schema());
  }

  @Test
  void doubledQuotesInsideQuotedNames() {
    NameRef ref = NameRef.parse("\"a \"\"quoted\"\" name\"", 2, "table");
    assertEquals(List.of("a \"quoted\" name"), ref.parts());
    DistributionRule rule = DistributionRule.parse("\"a \"\"quoted\"\" name\" as reference table",
        ConfigLocation.commandLine("x"));
    assertTrue(rule.isReference());
    assertEquals("a \"quoted\" name", rule.table().name());
  }

  @Test
  void invalidNamesAreRejected() {
    IllegalArgumentException spaces = assertThrows(IllegalArgumentException.class,
        () -> NameRef.parse("my table", 2, "table"));
    assertTrue(spaces.getMessage().contains("double quotes"), spaces.getMessage());
    IllegalArgumentException parts = assertThrows(IllegalArgumentException.class,
        () -> NameRef.parse("a.b.c", 2, "table"));
    assertTrue(parts.getMessage().contains("too many dotted parts"), parts.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NameRef.parse("\"a\"b", 2, "table"));
    assertThrows(IllegalArgumentException.class, () -> NameRef.parse("a..b", 3, "table"));
  }

  @Test
  void quotedNamesThroughYaml() {
    MigrationConfig config = parse(HEADER + """
        distribute:
          - '"My Table" using "Company Id"'
          - table: '"Sales Dept"."Order ""Lines\"\"\"'
            using: '"Customer Id"'
            from: '"Sales Dept"."Customer"'
        """);
    DistributionRule first = config.rules().get(0);
    assertEquals("My Table", first.table().name());
    assertEquals("Company Id", first.column());
    DistributionRule second = config.rules().get(1);
    assertEquals(List.of("Sales Dept", "Order \"Lines\""), second.table().parts());
    assertEquals("Customer Id", second.column());
    assertEquals(List.of(List.of("Sales Dept", "Customer")), second.from().stream().map(NameRef::parts).toList());
  }

  // ---- reference

  @Test
  void markdownReferenceListsEveryKey() {
    String reference = ConfigOptions.markdownReference();
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      assertTrue(reference.contains("| `" + option.key() + "` | " + option.type() + " | "
          + option.defaultText() + " |"), option.key());
    }
    assertEquals(ConfigOptions.ALL.size() + 2, reference.lines().count());
  }

  @Test
  void everyKeyOfTheReferenceIsAccepted() {
    // A configuration that names every key with its default must load: the reference and the
    // known-key check agree.
    StringBuilder yaml = new StringBuilder();
    String section = null;
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      if (!option.section().equals(section)) {
        section = option.section();
        yaml.append(section).append(":").append(option.key().equals(section) ? "" : "\n");
      }
      if (option.key().equals(section)) {
        yaml.append(" []\n");
      } else {
        String key = option.key().substring(section.length() + 1);
        String value = switch (key) {
          case "url" -> "jdbc:postgresql://h/db";
          case "properties" -> "{}";
          case "include", "exclude" -> "[]";
          default -> "~";
        };
        yaml.append("  ").append(key).append(": ").append(value).append('\n');
      }
    }
    MigrationConfig config = parse(yaml.toString());
    assertEquals("jdbc:postgresql://h/db", config.source().url());
    assertEquals(ConfigOptions.SPLIT_THRESHOLD.defaultValue(), config.load().splitThreshold());
  }
}
