package dev.pg2citus.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Every key of the configuration file, in the order the reference lists them: the one place each is
 * typed, defaulted, checked and described, whichever reader (YAML, pgloader command file) gave it.
 */
public final class ConfigOptions {
  private ConfigOptions() {}

  /** What to do with a row the target refuses. */
  public enum OnError { STOP, REJECT }

  /** What to do with a row whose added distribution column finds no value along its foreign keys. */
  public enum OnOrphan { REJECT, STOP }

  /** What a source object that pg2citus does not carry is: a warning, or an error before anything is written. */
  public enum NotCarried { WARN, ERROR }

  /** How the end of a run checks that the target holds the source. */
  public enum Verify { COUNTS, CHECKSUMS }

  /** What happens to a foreign key action Citus refuses: the plan fails, or the action is left out. */
  public enum RefusedKeyActions { ERROR, DROP }

  /**
   * Where the rows of a hash-distributed table are written: through the coordinator, straight into its
   * shards, or each table where it can go (today the tables {@code shards} takes).
   */
  public enum WritePath { COORDINATOR, SHARDS, AUTO }

  /** How distributed tables are colocated. */
  public enum Colocation {
    /** Each foreign-key tree is colocated with its root; unrelated roots get groups of their own. */
    BY_ROOT,
    /** Citus' default: tables with the same distribution column type share a group. */
    CITUS_DEFAULT
  }

  public static final ConfigOption<String> SOURCE_URL = ConfigOption.string("source.url", null,
      "Source database: a jdbc:postgresql:// URL, or a postgresql:// URI. `--source` overrides it.");
  public static final ConfigOption<String> SOURCE_USER = ConfigOption.string("source.user", null,
      "Source user (or in the URL).");
  public static final ConfigOption<String> SOURCE_PASSWORD = ConfigOption.string("source.password", null,
      "Source password, unless the URL has one; `${VAR}` reads the environment. Without either, `PGPASSWORD`,"
          + " then the password file (`PGPASSFILE`, else `~/.pgpass`). Never logged.");
  public static final ConfigOption<Map<String, String>> SOURCE_PROPERTIES = properties("source.properties");

  public static final ConfigOption<String> TARGET_URL = ConfigOption.string("target.url", null,
      "Target database (the Citus coordinator). `--target` overrides it.");
  public static final ConfigOption<String> TARGET_USER = ConfigOption.string("target.user", null,
      "Target user (or in the URL).");
  public static final ConfigOption<String> TARGET_PASSWORD = ConfigOption.string("target.password", null,
      "Target password, as `source.password` (the URL's first, then this, `PGPASSWORD`, the password file)."
          + " Never logged.");
  public static final ConfigOption<Map<String, String>> TARGET_PROPERTIES = properties("target.properties");
  public static final ConfigOption<Map<String, String>> TARGET_SETTINGS = ConfigOption.structured("target.settings",
      "mapping", Map.of(), "none",
      "Session parameters for every target connection, as pgloader's `set` has them (`work_mem: 64MB`, "
          + "`search_path: 'app, public'`); sent when the connection opens (pgjdbc's `options`, `-c name=value`).",
      ConfigOptions::readSettings);
  public static final ConfigOption<Map<String, String>> TARGET_NODE_ADDRESSES = ConfigOption.structured(
      "target.node-addresses", "mapping", Map.of(), "none",
      "Citus nodes pg2citus reaches by another address than the coordinator does: `host:port` as "
          + "`pg_dist_node` holds it → `host:port` to connect to (`'10.0.0.5:5432': 'worker-1.example.com:6432'`), "
          + "for every connection to a worker (the shard write path, its ledgers, the placement check). A node "
          + "not in `pg_dist_node` is warned of.",
      ConfigOptions::readNodeAddresses);
  public static final ConfigOption<Boolean> TARGET_PLAIN = ConfigOption.bool("target.plain-postgresql", false,
      "The target is plain PostgreSQL: the schema is rewritten as for Citus but tables are not "
          + "distributed (reported as skipped). Without it, rules that need Citus fail on a target without it.");

  public static final ConfigOption<List<TableSelector>> TABLES_INCLUDE = selectors("tables.include",
      "every table of every user schema",
      "Tables to migrate: `schema.name` or `name` (SQL spelling: quote capitals), or a mapping with "
          + "`schema`, `name`, `schema-matches`, `name-matches` (regular expressions). An entry that matches no source "
          + "table is refused, naming its line.");
  public static final ConfigOption<List<TableSelector>> TABLES_EXCLUDE = selectors("tables.exclude", "none",
      "Tables to leave out, written as for `tables.include`; exclusion wins. An entry that matches no source table "
          + "is warned of; filters that leave no table at all are refused.");

  public static final ConfigOption<Map<String, String>> RENAME_SCHEMAS = ConfigOption.structured("rename.schemas",
      "mapping", Map.of(), "none",
      "Source schema → target schema, exact names (pgloader's `alter schema 'public' rename to 'app'`): the "
          + "schema's tables, sequences, views, types and routines end up in the target schema. Finalize renames "
          + "last, so the load runs under the source names.", node -> {
        Map<String, String> result = new LinkedHashMap<>();
        node.asMap().forEach((from, to) -> result.put(from, newName(to)));
        return result;
      });
  public static final ConfigOption<List<Renames.Rule>> RENAME_TABLES = ConfigOption.structured("rename.tables",
      "list of rename rules", List.of(), "none",
      "Each rule: the tables it matches by their source names (`table`, or `schema`, `name`, `schema-matches`, "
          + "`name-matches` as in `tables.include`), and `rename-to` (a new name) and/or `set-schema` (exact "
          + "names; pgloader's `alter table names matching … rename to / set schema`). Rules apply in order; a "
          + "later one wins. Two tables may not end under one name.", ConfigOptions::readRenameRules);

  public static final ConfigOption<List<CastRule>> CASTS = ConfigOption.structured("casts",
      "list of cast rules", List.of(), "none",
      "Each rule: `column: table.column` or `type: source type`; `to: target type`; and pgloader's "
          + "`drop-default`, `drop-typmod`, `drop-not-null`, `set-not-null` (booleans), and `using`: a pgloader "
          + "transform with a PostgreSQL equivalent (" + Transform.labels() + "), applied as the source reads the "
          + "column (not on key columns). A column rule "
          + "wins over a type rule.", ConfigOptions::readCasts);

  public static final ConfigOption<List<DistributionRule>> DISTRIBUTE = ConfigOption.structured("distribute",
      "list of rules", List.of(), "none",
      "pgloader's rules, one per item: `companies using id`, `ads using company_id from campaigns`, "
          + "`countries as reference table`; or mappings with `table`, `using`, `from`, `reference: true`. "
          + "Tables that reference a distributed table are found along foreign keys. `--distribute` adds rules.",
      ConfigOptions::readRules);

  public static final ConfigOption<List<String>> BEFORE_LOAD = sqlList("before-load",
      "SQL run on the target before anything is created (pgloader's `before load do`), each item as one "
          + "script that may hold several statements; in the plan and the create summary.");
  public static final ConfigOption<List<String>> AFTER_LOAD = sqlList("after-load",
      "SQL run on the target after everything else of finalize, once every row is in (pgloader's "
          + "`after load do`).");

  public static final ConfigOption<Integer> SHARD_COUNT = ConfigOption.integer("citus.shard-count", 32, 1, 64000,
      "Shards per colocation group.");
  public static final ConfigOption<Boolean> AUTO_REFERENCE = ConfigOption.bool("citus.auto-reference-tables",
      false, "Make a table that distributed tables reference, and no rule covers, a reference table "
          + "(otherwise that is an error suggesting a rule).");
  public static final ConfigOption<Colocation> COLOCATION = ConfigOption.choice("citus.colocation",
      Colocation.BY_ROOT, "How distributed tables are colocated.");
  public static final ConfigOption<RefusedKeyActions> REFUSED_KEY_ACTIONS = ConfigOption.choice(
      "citus.refused-key-actions", RefusedKeyActions.ERROR,
      "Citus refuses ON UPDATE CASCADE, SET NULL or SET DEFAULT and ON DELETE SET NULL or SET DEFAULT on a "
          + "foreign key that holds the distribution column: `error` fails the plan before anything is "
          + "written, naming every such key; `drop` creates those keys without the refused action (listed "
          + "in the plan's warnings). A plain PostgreSQL target keeps every action.");
  public static final ConfigOption<List<FunctionRule>> DISTRIBUTE_FUNCTIONS = ConfigOption.structured(
      "citus.distribute-functions", "list of function rules", List.of(), "none",
      "Routines to distribute with `create_distributed_function`, so a call runs on the worker holding its rows: "
          + "each a mapping with `function` (`name(argument types)`), `argument` (the parameter holding the "
          + "distribution value, by name or `$n`) and `colocate-with` (a distributed table).", node -> {
        List<FunctionRule> rules = new ArrayList<>();
        for (YamlNode item : node.asList()) {
          item.requireKnownKeys(List.of("function", "argument", "colocate-with"));
          for (String key : List.of("function", "argument", "colocate-with")) {
            if (item.get(key) == null) {
              throw item.fail("a function rule needs '" + key + "'");
            }
          }
          rules.add(new FunctionRule(item.get("function").asString(), item.get("argument").asString(),
              parseName(item.get("colocate-with"), 2, "table"), item.location()));
        }
        return rules;
      });
  public static final ConfigOption<List<NameRef>> LEAVE_OUT_FOREIGN_KEYS = ConfigOption.structured(
      "citus.leave-out-foreign-keys", "list of table.constraint", List.of(), "none",
      "Foreign keys not to create on the target, each as `table.constraint` or `schema.table.constraint` "
          + "(the source's names): for a key whose rows cannot hold on Citus, which the data check names. "
          + "The plan lists each one left out.", node -> {
        List<NameRef> keys = new ArrayList<>();
        for (YamlNode item : node.asList()) {
          NameRef key = parseName(item, 3, "foreign key");
          if (key.parts().size() < 2) {
            throw item.fail("write the foreign key as table.constraint or schema.table.constraint");
          }
          keys.add(key);
        }
        return keys;
      });

  public static final ConfigOption<Boolean> INCLUDE_DROP = ConfigOption.bool("load.include-drop", false,
      "Drop the target tables (CASCADE) and the types they use before creating them; with `rename` rules, also "
          + "what they name on the target (the tables, sequences, types, views and routines an earlier run renamed).");
  public static final ConfigOption<Boolean> TRUNCATE = ConfigOption.bool("load.truncate", false,
      "Truncate existing target tables before loading (with `create-tables: false`).");
  public static final ConfigOption<Boolean> CREATE_TABLES = ConfigOption.bool("load.create-tables", true,
      "Create schemas, types, sequences and tables on the target.");
  public static final ConfigOption<Boolean> CREATE_INDEXES = ConfigOption.bool("load.create-indexes", true,
      "Build primary keys, unique and exclusion constraints and indexes, each table's as soon as its rows are in.");
  public static final ConfigOption<Boolean> FOREIGN_KEYS = ConfigOption.bool("load.foreign-keys", true,
      "Create foreign keys, each once both its tables are loaded and the referenced table's keys are built.");
  public static final ConfigOption<Boolean> DATA_ONLY = ConfigOption.bool("load.data-only", false,
      "Load rows into an existing target schema; create and finalize do nothing.");
  public static final ConfigOption<Boolean> SCHEMA_ONLY = ConfigOption.bool("load.schema-only", false,
      "Create and finalize the schema, load no rows.");
  public static final ConfigOption<Boolean> ANALYZE = ConfigOption.bool("load.analyze", true,
      "ANALYZE each table once its keys and indexes are built; `false` leaves statistics to autovacuum.");
  public static final ConfigOption<Integer> INDEX_WORKERS = ConfigOption.integer("load.index-workers", 2, 1, 64,
      "Post-data statements (keys, indexes, foreign keys, checks, ANALYZE) run at once, each on its own target "
          + "connection; they start during the load, as tables complete.");
  public static final ConfigOption<Boolean> RESET_SEQUENCES = ConfigOption.bool("load.reset-sequences", true,
      "Set every target sequence to the source's value after the load (on the Citus coordinator).");
  public static final ConfigOption<OnError> ON_ERROR = ConfigOption.choice("load.on-error", OnError.STOP,
      "`stop`: the first bad row stops the run, naming table, partition and reason; `reject`: bad "
          + "rows go to rejects/<table>.dat and .log and the rest loads.");
  public static final ConfigOption<OnOrphan> ON_ORPHAN = ConfigOption.choice("load.on-orphan", OnOrphan.REJECT,
      "A row whose foreign key to its distribution column is NULL or points at no row: `reject` writes it "
          + "to the reject files with the reason and counts it; `stop` stops the run.");
  public static final ConfigOption<NotCarried> NOT_CARRIED = ConfigOption.choice("load.not-carried", NotCarried.WARN,
      "Source objects pg2citus does not carry (operator classes, foreign tables, text search configurations, "
          + "routines, views and foreign keys that need a table left out or that Citus refuses, the objects of a "
          + "schema whose tables are all left out, extensions the target lacks): `warn` lists each with its reason "
          + "in the plan and the summary; `error` refuses the run before anything is written, listing them all.");
  public static final ConfigOption<Boolean> GRANTS = ConfigOption.bool("load.grants", true,
      "Carry the source's grants on schemas, tables, views, sequences, routines and types (and revokes from "
          + "PUBLIC), column grants and default privileges, after the load. A grant to a role the target lacks is "
          + "skipped with a note.");
  public static final ConfigOption<Boolean> OWNERS = ConfigOption.bool("load.owners", true,
      "Give every carried object its source owner, last. A role the target lacks keeps the object with the "
          + "migrating user, with a note; the migrating user must be a member of the roles it hands objects to.");
  public static final ConfigOption<Boolean> CHECK_DATA = ConfigOption.bool("load.check-data", true,
      "Before anything is written, check the source rows against the plan: rows whose foreign-key paths lead to "
          + "different distribution values (a key that could never hold on Citus), rows whose backfill path "
          + "leads nowhere, NULL distribution values. Each is counted with example keys; what would fail the run "
          + "refuses it (exit 2). `plan --check-data` runs the checks alone; `false` skips them in `migrate`.");
  public static final ConfigOption<List<EncodingRule>> ENCODINGS = ConfigOption.structured("load.encodings",
      "list of encoding rules", List.of(), "none",
      "For a SQL_ASCII source, whose text is whatever bytes were stored: the encoding they are in, for a `table` "
          + "(its text, varchar and char columns but its keys') or a `column` (`table.column`), with `encoding` "
          + "(PostgreSQL's name: `LATIN1`, `WIN1252`, `SJIS`…); the source converts them to UTF-8 as it reads them. "
          + "A column rule wins over its table's. A row with other bytes that are not UTF-8 stops the run, or "
          + "with `load.on-error: reject` goes to the reject file with its bytes (as COPY's octal escapes).",
      ConfigOptions::readEncodings);
  public static final ConfigOption<Boolean> SNAPSHOT = ConfigOption.bool("load.consistent-snapshot", true,
      "Read every table under one exported snapshot, so the target is one moment of the source. Turn it "
          + "off where a snapshot cannot be exported or held (some poolers and replicas).");
  public static final ConfigOption<Integer> BATCH_ROWS = ConfigOption.integer("load.batch-rows", 100_000, 1,
      10_000_000, "Rows per COPY statement (each costs Citus a round of shard connections; progress is "
          + "reported after each).");
  public static final ConfigOption<Long> BATCH_BYTES = ConfigOption.bytes("load.batch-bytes", 64L << 20, "64MB",
      "Bytes per COPY statement; a batch ends at whichever limit comes first. With `on-error: reject` each "
          + "worker keeps its open batch in memory, to isolate bad rows.");
  public static final ConfigOption<Integer> PARTITIONS = ConfigOption.structured("load.partitions-per-table",
      "auto | integer 1..4096", 0, "auto",
      "Read partitions per table; `auto` splits by `split-threshold`.", node -> {
        if (node.asString().equalsIgnoreCase("auto")) {
          return 0;
        }
        long v = node.asLong();
        if (v < 1 || v > 4096) {
          throw node.fail("must be auto or between 1 and 4096, got " + v);
        }
        return (int) v;
      });
  public static final ConfigOption<Integer> SPLIT_THRESHOLD = ConfigOption.integer("load.split-threshold",
      250_000, 1_000, Integer.MAX_VALUE, "With automatic partitions: about this many rows per read partition "
          + "(each is one target transaction; workers take them from a queue, smallest first).");
  public static final ConfigOption<Integer> SIDE_INPUT_MAX_KEYS = ConfigOption.integer("load.side-input-max-keys",
      10_000_000, 0, Integer.MAX_VALUE,
      "Backfill maps estimated at this many keys or more (a side input costs about 12 bytes of heap a key plus "
          + "the text of key and value) are joined by a shuffle instead; 0 always shuffles. The shuffle saves "
          + "memory on Flink, not on the Direct runner.");
  public static final ConfigOption<Verify> VERIFY = ConfigOption.choice("load.verify", Verify.COUNTS,
      "`counts`: every table's source rows (in the snapshot) = written + rejected, and the target holds what was "
          + "written; `checksums`: also an order-independent checksum of every column's text on both sides "
          + "(reads each table once more).");
  public static final ConfigOption<WritePath> WRITE_PATH = ConfigOption.choice("load.write-path",
      WritePath.COORDINATOR, "`coordinator`: every row is COPY'd into the distributed table on the coordinator, "
          + "which routes it; `shards`: the rows of hash-distributed tables whose distribution column pg2citus can "
          + "hash exactly are COPY'd straight into their shard tables on the workers, one transaction per partition "
          + "and worker, with a ledger row on that worker for exactly once (`plan` says per table which path and "
          + "why); reference, local and plain tables stay on the coordinator path. `auto`: each table on the path "
          + "`shards` would give it (hash-distributed and exactly routable: shards; otherwise the coordinator).");
  public static final ConfigOption<Integer> WORKERS = ConfigOption.integer("load.workers", 4, 1, 1024,
      "Parallel readers and writers (the runner's parallelism).");
  public static final ConfigOption<Integer> PARTITION_RETRIES = ConfigOption.integer("load.partition-retries", 3, 0,
      100, "A partition whose source or target connection is lost (connection errors, SQLSTATE class 08, "
          + "administrator shutdown or crash 57P01..57P03, I/O errors) is rolled back and copied again, this many "
          + "times at least, after `load.retry-backoff`, doubled at each retry, and for as long as "
          + "`load.outage-wait`; then the run stops and `migrate --resume` continues it. Errors about rows or "
          + "statements are never retried.");
  public static final ConfigOption<Duration> RETRY_BACKOFF = ConfigOption.duration("load.retry-backoff",
      Duration.ofSeconds(1), "1s", "The wait before a partition's first retry; each further retry waits twice "
          + "as long as the one before (at most a minute).");
  public static final ConfigOption<Duration> OUTAGE_WAIT = ConfigOption.duration("load.outage-wait",
      Duration.ofMinutes(3), "3min", "How long a lost source, coordinator or worker connection is waited for "
          + "(a node restarted or failed over), retrying with `load.retry-backoff` and saying what it waits for, "
          + "before the run stops for `migrate --resume`: a partition is copied again (beyond "
          + "`load.partition-retries`) and a finalize statement issued again until this much time has passed "
          + "since its connection was first lost. `0s`: only the retries.");

  /** All keys, in reference order. */
  public static final List<ConfigOption<?>> ALL = List.of(
      SOURCE_URL, SOURCE_USER, SOURCE_PASSWORD, SOURCE_PROPERTIES,
      TARGET_URL, TARGET_USER, TARGET_PASSWORD, TARGET_PROPERTIES, TARGET_SETTINGS, TARGET_NODE_ADDRESSES,
      TARGET_PLAIN, TABLES_INCLUDE, TABLES_EXCLUDE, RENAME_SCHEMAS, RENAME_TABLES, CASTS, DISTRIBUTE, BEFORE_LOAD,
      AFTER_LOAD,
      SHARD_COUNT, AUTO_REFERENCE, COLOCATION, REFUSED_KEY_ACTIONS, DISTRIBUTE_FUNCTIONS, LEAVE_OUT_FOREIGN_KEYS,
      INCLUDE_DROP, TRUNCATE, CREATE_TABLES, CREATE_INDEXES, FOREIGN_KEYS, DATA_ONLY, SCHEMA_ONLY,
      ANALYZE, INDEX_WORKERS, RESET_SEQUENCES, ON_ERROR, ON_ORPHAN, NOT_CARRIED, GRANTS, OWNERS, CHECK_DATA, ENCODINGS,
      SNAPSHOT,
      BATCH_ROWS, BATCH_BYTES, PARTITIONS, SPLIT_THRESHOLD, SIDE_INPUT_MAX_KEYS, VERIFY, WRITE_PATH, WORKERS, PARTITION_RETRIES,
      RETRY_BACKOFF, OUTAGE_WAIT);

  /** Fails on any key of {@code root} that no option defines. */
  public static void checkKnownKeys(YamlNode root) {
    Set<String> sections = new LinkedHashSet<>();
    ALL.forEach(o -> sections.add(o.section()));
    root.requireKnownKeys(sections);
    for (String section : sections) {
      YamlNode node = root.get(section);
      List<String> keys = ALL.stream().filter(o -> o.key().startsWith(section + "."))
          .map(o -> o.key().substring(section.length() + 1)).toList();
      if (node != null && !keys.isEmpty() && !node.isNull()) {
        node.requireKnownKeys(keys);
      }
    }
  }

  /** The configuration reference as a Markdown table. */
  public static String markdownReference() {
    StringBuilder out = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
    for (ConfigOption<?> o : ALL) {
      out.append("| `").append(o.key()).append("` | ").append(o.type()).append(" | ")
          .append(o.defaultText()).append(" | ").append(o.description()).append(" |\n");
    }
    return out.toString();
  }

  private static ConfigOption<Map<String, String>> properties(String key) {
    return ConfigOption.structured(key, "mapping", Map.of(), "none",
        "Further pgjdbc connection properties (`sslmode: require`, `ApplicationName`…).", node -> {
          Map<String, String> result = new LinkedHashMap<>();
          node.asMap().forEach((k, v) -> result.put(k, v.asString()));
          return result;
        });
  }

  /** Parameter names as PostgreSQL takes them: {@code work_mem}, {@code citus.shard_replication_factor}. */
  private static Map<String, String> readSettings(YamlNode node) {
    Map<String, String> result = new LinkedHashMap<>();
    node.asMap().forEach((name, value) -> {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
        throw value.fail("'" + name + "' is not a parameter name");
      }
      result.put(name, value.asString());
    });
    return result;
  }

  /** {@code host:port} (an IPv6 host in brackets), port 1..65535. */
  private static final Pattern NODE_ADDRESS = Pattern.compile("(\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9._-]+)):(\\d{1,5})");

  /** Both sides as {@code host:port}, IPv6 hosts without brackets, as node names are compared. */
  private static Map<String, String> readNodeAddresses(YamlNode mapping) {
    Map<String, String> result = new LinkedHashMap<>();
    mapping.asMap().forEach((from, to) -> {
      String node = nodeAddress(from, to, "'" + from + "' is not a node's host:port as pg_dist_node holds it");
      String address = nodeAddress(to.asString(), to, "'" + to.asString() + "' (for " + from
          + ") is not a host:port to connect to");
      result.put(node, address);
    });
    return result;
  }

  private static String nodeAddress(String text, YamlNode at, String problem) {
    Matcher m = NODE_ADDRESS.matcher(text.trim());
    if (!m.matches() || Integer.parseInt(m.group(4)) < 1 || Integer.parseInt(m.group(4)) > 65535) {
      throw at.fail(problem);
    }
    return (m.group(2) != null ? m.group(2) : m.group(3)) + ":" + Integer.parseInt(m.group(4));
  }

  private static ConfigOption<List<String>> sqlList(String key, String description) {
    return ConfigOption.structured(key, "list of SQL scripts", List.of(), "none", description, node -> {
      List<String> result = new ArrayList<>();
      for (YamlNode item : node.asList()) {
        if (item.asString().isBlank()) {
          throw item.fail("an empty SQL script");
        }
        result.add(item.asString());
      }
      return result;
    });
  }

  private static final List<String> SELECTOR_KEYS = List.of("schema", "name", "schema-matches", "name-matches");

  private static ConfigOption<List<TableSelector>> selectors(String key, String defaultText, String description) {
    return ConfigOption.structured(key, "list of table patterns", List.of(), defaultText, description, node -> {
      List<TableSelector> result = new ArrayList<>();
      for (YamlNode item : node.asList()) {
        result.add(readSelector(item));
      }
      return result;
    });
  }

  private static TableSelector readSelector(YamlNode item) {
    if (!item.isMap()) {
      NameRef ref = parseName(item, 2, "table");
      String schema = ref.schema();
      return new TableSelector(schema, null, ref.name(), null, item.location());
    }
    item.requireKnownKeys(SELECTOR_KEYS);
    if (item.asMap().isEmpty()) {
      throw item.fail("a table pattern needs at least one of schema, name, schema-matches, name-matches");
    }
    return new TableSelector(
        exact(item.get("schema")), regex(item.get("schema-matches")),
        exact(item.get("name")), regex(item.get("name-matches")), item.location());
  }

  private static List<Renames.Rule> readRenameRules(YamlNode node) {
    List<Renames.Rule> result = new ArrayList<>();
    for (YamlNode item : node.asList()) {
      if (!item.isMap()) {
        throw item.fail("a rename rule is a mapping: the tables it matches, and rename-to and/or set-schema");
      }
      List<String> known = new ArrayList<>(SELECTOR_KEYS);
      known.addAll(List.of("table", "rename-to", "set-schema"));
      item.requireKnownKeys(known);
      String renameTo = newName(item.get("rename-to"));
      String setSchema = newName(item.get("set-schema"));
      if (renameTo == null && setSchema == null) {
        throw item.fail("a rename rule needs rename-to or set-schema");
      }
      Map<String, YamlNode> patterns = new LinkedHashMap<>(item.asMap());
      patterns.keySet().removeAll(List.of("table", "rename-to", "set-schema"));
      if (item.get("table") != null && !patterns.isEmpty()) {
        throw item.fail("write the tables of a rename rule as 'table' or as schema/name patterns, not both");
      }
      TableSelector match = readSelector(item.get("table") != null ? item.get("table")
          : YamlNode.map(item.location(), patterns));
      result.add(new Renames.Rule(match, renameTo, setSchema, item.location()));
    }
    return result;
  }

  /** A name a rename gives, exact: refused when blank, which no table or schema can be called. */
  private static String newName(YamlNode node) {
    String name = exact(node);
    if (name != null && name.isBlank()) {
      throw node.fail("a new name cannot be empty");
    }
    return name;
  }

  private static String exact(YamlNode node) {
    return node == null ? null : node.asString();
  }

  private static Pattern regex(YamlNode node) {
    if (node == null) {
      return null;
    }
    try {
      return Pattern.compile(node.asString());
    } catch (PatternSyntaxException e) {
      throw node.fail("not a valid regular expression: " + e.getDescription());
    }
  }

  private static List<CastRule> readCasts(YamlNode node) {
    List<CastRule> result = new ArrayList<>();
    for (YamlNode item : node.asList()) {
      item.requireKnownKeys(List.of("column", "type", "to", "drop-default", "drop-typmod",
          "drop-not-null", "set-not-null", "using"));
      YamlNode column = item.get("column");
      YamlNode type = item.get("type");
      if ((column == null) == (type == null)) {
        throw item.fail("a cast rule needs exactly one of 'column' (table.column) or 'type'");
      }
      NameRef columnRef = columnName(column);
      boolean dropNotNull = flag(item, "drop-not-null");
      boolean setNotNull = flag(item, "set-not-null");
      if (dropNotNull && setNotNull) {
        throw item.fail("drop-not-null and set-not-null cannot both be true");
      }
      YamlNode to = item.get("to");
      result.add(new CastRule(columnRef, type == null ? null : type.asString(),
          to == null ? null : to.asString(), flag(item, "drop-default"), flag(item, "drop-typmod"),
          dropNotNull, setNotNull, transform(item.get("using")), item.location()));
    }
    return result;
  }

  /** PostgreSQL's encodings a SQL_ASCII source's bytes may be in (pg_wchar.h's names, but SQL_ASCII's own). */
  private static final Set<String> ENCODING_NAMES = new TreeSet<>(List.of("UTF8", "EUC_JP", "EUC_CN", "EUC_KR",
      "EUC_TW", "EUC_JIS_2004", "MULE_INTERNAL", "LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7",
      "LATIN8", "LATIN9", "LATIN10", "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252",
      "ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254", "WIN1255", "WIN1257",
      "KOI8U", "SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004"));

  private static List<EncodingRule> readEncodings(YamlNode node) {
    List<EncodingRule> result = new ArrayList<>();
    for (YamlNode item : node.asList()) {
      item.requireKnownKeys(List.of("table", "column", "encoding"));
      YamlNode table = item.get("table");
      YamlNode column = item.get("column");
      if ((table == null) == (column == null)) {
        throw item.fail("an encoding rule needs exactly one of 'table' or 'column' (table.column)");
      }
      NameRef columnRef = columnName(column);
      YamlNode encoding = item.get("encoding");
      if (encoding == null) {
        throw item.fail("an encoding rule needs 'encoding' (LATIN1, WIN1252…)");
      }
      String name = encoding.asString().toUpperCase(Locale.ROOT);
      if (!ENCODING_NAMES.contains(name)) {
        throw encoding.fail("'" + encoding.asString() + "' is not one of PostgreSQL's encodings: "
            + String.join(", ", ENCODING_NAMES));
      }
      result.add(new EncodingRule(table == null ? null : parseName(table, 2, "table"), columnRef, name,
          item.location()));
    }
    return result;
  }

  /** A rule's {@code column}: {@code table.column} or {@code schema.table.column}; null when not given. */
  private static NameRef columnName(YamlNode column) {
    NameRef ref = column == null ? null : parseName(column, 3, "column");
    if (ref != null && ref.parts().size() < 2) {
      throw column.fail("write the column as table.column or schema.table.column");
    }
    return ref;
  }

  private static Transform transform(YamlNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    Transform t = Transform.named(node.asString());
    if (t == null) {
      throw node.fail("'" + node.asString() + "' is not a transform with a PostgreSQL equivalent; expected one of "
          + Transform.labels());
    }
    return t;
  }

  private static boolean flag(YamlNode map, String key) {
    YamlNode node = map.get(key);
    return node != null && !node.isNull() && node.asBoolean();
  }

  private static List<DistributionRule> readRules(YamlNode node) {
    List<DistributionRule> result = new ArrayList<>();
    for (YamlNode item : node.asList()) {
      if (!item.isMap()) {
        result.add(DistributionRule.parse(item.asString(), item.location()));
        continue;
      }
      item.requireKnownKeys(List.of("table", "using", "from", "reference"));
      YamlNode table = item.get("table");
      if (table == null) {
        throw item.fail("a distribution rule needs 'table'");
      }
      boolean reference = flag(item, "reference");
      YamlNode using = item.get("using");
      if (reference == (using != null)) {
        throw item.fail("a distribution rule needs either 'using: column' or 'reference: true'");
      }
      List<NameRef> from = new ArrayList<>();
      if (item.get("from") != null) {
        if (reference) {
          throw item.get("from").fail("a reference table takes no 'from' path");
        }
        for (YamlNode hop : item.get("from").asList()) {
          from.add(parseName(hop, 2, "table"));
        }
      }
      result.add(new DistributionRule(parseName(table, 2, "table"),
          using == null ? null : parseName(using, 1, "column").name(), from, item.location()));
    }
    return result;
  }

  private static NameRef parseName(YamlNode node, int maxParts, String what) {
    try {
      return NameRef.parse(node.asString(), maxParts, what);
    } catch (IllegalArgumentException e) {
      throw node.fail(e.getMessage());
    }
  }
}
