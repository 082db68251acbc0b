package dev.pg2citus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigLoader.Overrides;
import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.embedded.EmbeddedDefault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pgloader command files read into the same model as the YAML: each clause, each refusal, each error. */
class LoadFileReaderTest {
  private static final Map<String, String> ENV = Map.of("PGPASSWORD", "from-env");

  /** Lines 1–3 of most test files; whatever follows starts at line 4. */
  private static final String HEADER = """
      load database
        from pgsql://src.example/shop
        into pgsql://dst.example/shop
      """;

  private static MigrationConfig parse(String text) {
    return new ConfigLoader(ENV::get).parseCommandFile(text, "test.load", Overrides.none());
  }

  private static ConfigException fails(String text) {
    return assertThrows(ConfigException.class, () -> parse(text));
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
  }

  private static String yaml(String text) {
    ConfigTree tree = new LoadFileReader(ENV::get, name -> "").read(text, "test.load");
    return YamlWriter.write(tree, "test.load", text);
  }

  // ---- the seed file

  @Test
  void theSeedCommandReadsAsHackathonYaml() {
    String seed = EmbeddedDefault.resource("/dev/pg2citus/configs/hackathon.load");
    MigrationConfig load = new ConfigLoader(ENV::get).parseCommandFile(seed, "hackathon.load", Overrides.none());
    MigrationConfig yaml = new ConfigLoader(ENV::get).parse(
        EmbeddedDefault.resource("/dev/pg2citus/configs/hackathon.yaml"), "hackathon.yaml", Overrides.none());

    assertEquals(yaml.source().url(), load.source().url());
    assertEquals(yaml.target().url(), load.target().url());
    assertEquals(yaml.source().password(), load.source().password());
    assertEquals(yaml.load(), load.load());
    assertEquals(yaml.citus(), load.citus());
    assertEquals(strings(yaml.casts()), strings(load.casts()));
    assertEquals(strings(yaml.rules()), strings(load.rules()));
    assertEquals(yaml.include(), load.include());
    assertEquals(yaml.exclude(), load.exclude());
    assertEquals(List.of(), load.beforeLoad());
    // The file's options where pg2citus differs from pgloader are explained.
    assertTrue(load.notes().stream().anyMatch(n -> n.startsWith("reset no sequences:")), load.notes().toString());
    assertTrue(load.notes().stream().anyMatch(n -> n.contains("no host")), load.notes().toString());
    // Rules point at the command file.
    assertEquals(new ConfigLocation("hackathon.load", 9, 1, "distribute"),
        load.rules().get(0).location());
    assertEquals(7, load.casts().get(0).location().line());
  }

  private static List<String> strings(List<?> items) {
    return items.stream().map(Object::toString).toList();
  }

  // ---- from / into

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      pgsql:///hackathon                          | jdbc:postgresql://localhost/hackathon      |        | from-env
      postgresql://app@db.internal:6432/shop      | jdbc:postgresql://db.internal:6432/shop    | app    | from-env
      pgsql://app:s%40cret@db/shop?sslmode=require | jdbc:postgresql://db/shop?sslmode=require  | app    | s@cret
      pgsql://app:p@ss@db/shop                    | jdbc:postgresql://db/shop                  | app    | p@ss
      pgsql://unix:/var/run/postgresql:5433/shop  | jdbc:postgresql://localhost:5433/shop      |        | from-env
      pgsql://dba@unix:/run/pg/shop                  | jdbc:postgresql://localhost/shop           | dba    | from-env
      pgsql://:5433/shop                          | jdbc:postgresql://localhost:5433/shop      |        | from-env
      """)
  void connectionStringsInPgloaderForms(String uri, String url, String user, String password) {
    MigrationConfig config = parse("load database from " + uri + " into pgsql://dst/shop;");
    assertEquals(url, config.source().url());
    assertEquals(user, config.source().user());
    assertEquals(password, config.source().password());
    assertFalse(config.source().toString().contains("cret"));
  }

  @Test
  void aSocketOrAnEmptyHostIsExplained() {
    MigrationConfig config =
        parse("load database from pgsql://unix:/run/pg:5433/shop into pgsql:///dim with include no drop");
    assertEquals(2, config.notes().size(), config.notes().toString());
    assertMentions(new RuntimeException(String.join("\n", config.notes())), "from unix:/run/pg",
        "localhost:5433", "into pgsql:///dim: no host");
    // --source replaces the file's connection string, and its note goes with it.
    MigrationConfig overridden = new ConfigLoader(ENV::get).parseCommandFile(
        "load database from pgsql://unix:/run/pg:5433/shop into pgsql:///dim with include no drop", "test.load",
        new Overrides("jdbc:postgresql://elsewhere/shop", null, List.of()));
    assertEquals(1, overridden.notes().size(), overridden.notes().toString());
    assertTrue(overridden.notes().get(0).startsWith("into "), overridden.notes().toString());
  }

  @Test
  void templatesReadTheEnvironment() {
    MigrationConfig config = new ConfigLoader(Map.of("SOURCE", "pgsql://app@src/shop", "DB", "dim")::get)
        .parseCommandFile("load database\n  from {{SOURCE}}\n  into pgsql://dst/{{ DB }};", "test.load",
            Overrides.none());
    assertEquals("jdbc:postgresql://src/shop", config.source().url());
    assertEquals("jdbc:postgresql://dst/dim", config.target().url());
    ConfigException e = fails("load database\n  from {{NOWHERE}}\n  into pgsql:///dim");
    assertTrue(e.getMessage().startsWith("test.load:2:8: the template {{NOWHERE}} names the environment variable"),
        e.getMessage());
  }

  // ---- with

  @Test
  void withOptionsMapOntoLoadOptions() {
    MigrationConfig config = parse(HEADER + """
        with include no drop, truncate, create no tables, create no indexes, no foreign keys, data only,
             reset sequences, on error resume next, batch rows = 5000, batch size = 20 MB, prefetch rows = 100,
             workers = 8, concurrency = 2, max parallel create index = 3, rows per range = 50000,
             uniquify index names, quote identifiers, disable triggers, multiple readers per thread
        """);
    MigrationConfig.Load load = config.load();
    assertFalse(load.includeDrop());
    assertTrue(load.truncate());
    assertFalse(load.createTables());
    assertFalse(load.createIndexes());
    assertFalse(load.foreignKeys());
    assertTrue(load.dataOnly());
    assertTrue(load.resetSequences());
    assertEquals(OnError.REJECT, load.onError());
    assertEquals(5000, load.batchRows());
    assertEquals(20L << 20, load.batchBytes());
    assertEquals(8, load.workers());
    assertEquals(3, load.indexWorkers());
    assertEquals(50000, load.splitThreshold());
    String notes = String.join("\n", config.notes());
    assertMentions(new RuntimeException(notes), "reset sequences: pg2citus sets every sequence",
        "on error resume next: rows the target refuses go to rejects", "prefetch rows: not used",
        "concurrency: not used", "uniquify index names", "disable triggers", "multiple readers per thread");
  }

  @Test
  void withOptionsDefaultAsPgloadersForAPostgresqlSource() {
    MigrationConfig config = parse(HEADER + "with schema only, on error stop, batch size = '4MB';");
    assertTrue(config.load().includeDrop(), "pgloader's default: include drop");
    assertTrue(config.notes().stream().anyMatch(n -> n.startsWith("include drop, pgloader's default")),
        config.notes().toString());
    assertTrue(config.load().schemaOnly());
    assertEquals(OnError.STOP, config.load().onError());
    assertEquals(4L << 20, config.load().batchBytes());
    assertTrue(config.load().createTables());
    assertTrue(config.load().resetSequences());
  }

  // ---- set

  @Test
  void setParametersGoToEveryTargetSession() {
    MigrationConfig config = parse(HEADER + """
        set postgresql parameters work_mem to '64MB', search_path to 'app, public, "$user"',
            citus.multi_shard_modify_mode = 'sequential'
        """);
    assertEquals("-c work_mem=64MB -c search_path=app,\\ public,\\ \"$user\" "
        + "-c citus.multi_shard_modify_mode=sequential", config.target().properties().get("options"));
    assertNull(config.source().properties().get("options"));
  }

  // ---- cast

  @Test
  void castRulesInColumnAndTypeForms() {
    MigrationConfig config = parse(HEADER + """
        cast column impressions.seen_at to "timestamp with time zone",
             column sales."Orders".total to numeric(12, 2) drop default keep not null,
             type int4 to bigint drop typemod drop not null,
             type "character varying" to text keep default keep typemod,
             type date set not null,
             column ads.name using empty-string-to-null,
             column events.created to timestamptz using unix-timestamp-to-timestamptz drop not null
        """);
    List<CastRule> casts = config.casts();
    assertEquals(7, casts.size());
    assertEquals(new CastRule(NameRef.parse("impressions.seen_at", 3, "c"), null, "timestamp with time zone",
        false, false, false, false, null, casts.get(0).location()), casts.get(0));
    assertEquals(Transform.EMPTY_STRING_TO_NULL, casts.get(5).using());
    assertNull(casts.get(5).targetType());
    assertEquals(Transform.UNIX_TIMESTAMP_TO_TIMESTAMPTZ, casts.get(6).using());
    assertTrue(casts.get(6).dropNotNull());
    assertEquals(List.of("sales", "Orders", "total"), casts.get(1).column().parts());
    assertEquals("numeric(12,2)", casts.get(1).targetType());
    assertTrue(casts.get(1).dropDefault());
    assertFalse(casts.get(1).dropNotNull());
    assertEquals("int4", casts.get(2).sourceType());
    assertEquals("bigint", casts.get(2).targetType());
    assertTrue(casts.get(2).dropTypmod() && casts.get(2).dropNotNull());
    assertEquals("character varying", casts.get(3).sourceType());
    assertFalse(casts.get(3).dropDefault() || casts.get(3).dropTypmod());
    assertNull(casts.get(4).targetType());
    assertTrue(casts.get(4).setNotNull());
    assertEquals(new ConfigLocation("test.load", 5, 6, "cast column sales.\"Orders\".total"),
        casts.get(1).location());
  }

  @Test
  void theYamlTakesTheSameTransformsByName() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV::get).parse("""
        source: { url: 'jdbc:postgresql://a/b' }
        target: { url: 'jdbc:postgresql://a/c' }
        casts:
          - column: ads.name
            using: zero-dates-to-nul
        """, "t.yaml", Overrides.none()));
    assertTrue(e.getMessage().startsWith("t.yaml:5: casts[0].using: 'zero-dates-to-nul' is not a transform with a "
        + "PostgreSQL equivalent; expected one of empty-string-to-null, right-trim"), e.getMessage());
  }

  // ---- including only / excluding

  @Test
  void tableFiltersByNameQuotedNameAndRegex() {
    MigrationConfig config = parse(HEADER + """
        including only table names matching ~/^camp/, 'ads', "Clicks", companies in schema 'public'
        including only table names matching ~<^log_> in schema archive
        excluding table names matching ~/_old$/, 'ads_tmp'
        """);
    assertTrue(config.selects(new TableName("public", "campaigns")));
    assertTrue(config.selects(new TableName("public", "ads")));
    assertTrue(config.selects(new TableName("public", "Clicks")));
    assertTrue(config.selects(new TableName("public", "companies")));
    assertTrue(config.selects(new TableName("archive", "log_2024")));
    assertFalse(config.selects(new TableName("public", "clicks")), "quoted names keep their case");
    assertFalse(config.selects(new TableName("other", "ads")), "in schema 'public'");
    assertFalse(config.selects(new TableName("public", "campaigns_old")));
    assertFalse(config.selects(new TableName("public", "impressions")));
    assertEquals(5, config.include().size());
    assertEquals(2, config.exclude().size());
  }

  // ---- alter schema / alter table names matching

  @Test
  void alterSchemaRenamesAccumulate() {
    MigrationConfig config = parse(HEADER + """
        alter schema 'public' rename to 'app'
        alter schema "Sales" rename to archive
        alter schema Stats rename to 'Reports'
        """);
    assertEquals(Map.of("public", "app", "Sales", "archive", "stats", "Reports"), config.renames().schemas());
    assertEquals(new TableName("app", "film"), config.renames().of(new TableName("public", "film")));
    assertEquals(new TableName("archive", "orders"), config.renames().of(new TableName("Sales", "orders")));
    assertEquals(new TableName("sales", "orders"), config.renames().of(new TableName("sales", "orders")),
        "quoted names keep their case");
    assertTrue(config.renames().tables().isEmpty());
  }

  @Test
  void alterTableRenameToTakesExactNamesAndRegexesInASchema() {
    MigrationConfig config = parse(HEADER + """
        alter table names matching 'film', ~/_list$/, ~<^Old> in schema 'public' rename to 'films'
        alter table names matching actor rename to "Actors"
        """);
    List<Renames.Rule> rules = config.renames().tables();
    assertEquals(4, rules.size(), "one rule per matcher");
    assertEquals("film", rules.get(0).match().name());
    assertEquals("_list$", rules.get(1).match().namePattern().pattern());
    assertEquals("^Old", rules.get(2).match().namePattern().pattern());
    assertTrue(rules.subList(0, 3).stream().allMatch(r -> "public".equals(r.match().schema())
        && "films".equals(r.renameTo()) && r.setSchema() == null), rules.toString());
    assertEquals(new ConfigLocation("test.load", 4, 36, "alter table names matching"), rules.get(1).location());
    Renames renames = config.renames();
    assertEquals(new TableName("public", "films"), renames.of(new TableName("public", "film")));
    assertEquals(new TableName("public", "films"), renames.of(new TableName("public", "actor_list")));
    assertEquals(new TableName("public", "films"), renames.of(new TableName("public", "Older")), "find()");
    assertEquals(new TableName("public", "filmography"), renames.of(new TableName("public", "filmography")));
    assertEquals(new TableName("other", "film"), renames.of(new TableName("other", "film")), "in schema 'public'");
    assertEquals(new TableName("other", "Actors"), renames.of(new TableName("other", "actor")));
  }

  @Test
  void alterTableSetSchemaMovesTheMatchedTables() {
    MigrationConfig config = parse(HEADER + """
        alter table names matching ~/_list$/, 'sales_by_store' set schema 'mv'
        """);
    Renames renames = config.renames();
    assertEquals(2, renames.tables().size());
    assertNull(renames.tables().get(0).renameTo());
    assertEquals(new TableName("mv", "film_list"), renames.of(new TableName("public", "film_list")));
    assertEquals(new TableName("mv", "sales_by_store"), renames.of(new TableName("sales", "sales_by_store")));
    assertEquals(new TableName("public", "film"), renames.of(new TableName("public", "film")));
  }

  @Test
  void schemaAndTableRenamesTogether() {
    MigrationConfig config = parse(HEADER + """
        including only table names matching ~/./ in schema 'public'
        alter schema 'public' rename to 'app'
        alter table names matching 'film' in schema 'public' rename to 'films'
        alter table names matching ~/_list$/ set schema 'mv';
        """);
    Renames renames = config.renames();
    assertEquals(new TableName("app", "films"), renames.of(new TableName("public", "film")));
    assertEquals(new TableName("mv", "film_list"), renames.of(new TableName("public", "film_list")));
    assertEquals(new TableName("app", "actor"), renames.of(new TableName("public", "actor")));
    // The filters name the source's tables, as the renames' matchers do.
    assertTrue(config.selects(new TableName("public", "film")));
    assertFalse(config.selects(new TableName("app", "film")));
  }

  // ---- before / after load

  @Test
  void beforeAndAfterLoadBlocks(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("extra.sql"), "create index on ads (name);\n");
    Path file = dir.resolve("shop.load");
    Files.writeString(file, HEADER + """
        before load do
          $$ create extension if not exists citus; $$,
          $tag$ create table audit (note text default $$none$$); $tag$
        after load do $$ analyze; $$
        after load execute 'extra.sql'
        ;
        """);
    MigrationConfig config = new ConfigLoader(ENV::get).loadCommandFile(file, Overrides.none());
    assertEquals(List.of("create extension if not exists citus;", "create table audit (note text default $$none$$);"),
        config.beforeLoad());
    assertEquals(List.of("analyze;", "create index on ads (name);"), config.afterLoad());
  }

  // ---- distribute

  @Test
  void theThreeDistributeForms() {
    MigrationConfig config = parse(HEADER + """
        distribute companies using id
        distribute ads using company_id from campaigns
        distribute clicks using company_id from ads, campaigns
        distribute "Sales"."Countries" as reference table
        -- distribute impressions using company_id
        /* distribute nothing
           using x */
        ;
        """);
    assertEquals(List.of("companies using id", "ads using company_id from campaigns",
        "clicks using company_id from ads, campaigns", "\"Sales\".\"Countries\" as reference table"),
        strings(config.rules()));
    assertTrue(config.rules().get(3).isReference());
    assertEquals(List.of("Sales", "Countries"), config.rules().get(3).table().parts());
  }

  // ---- refusals and syntax errors: line, column and what was expected

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      load csv from 'data.csv' into pgsql:///x                     | 1:6  | 'load csv' is refused
      load database from mysql://root@localhost/sakila into pgsql:///x | 1:20 | 'from mysql://…' is refused
      load database from 'data.db' into pgsql:///x                 | 1:20 | file and SQLite sources are refused
      load database from pgsql:///a into sqlite:///b               | 1:36 | 'into sqlite://…' is refused
      load database from pgsql:///a?user=me into pgsql:///b        | 1:20 | takes only ?sslmode=
      load database from pgsql:///a?sslmode=sometimes into pgsql:///b | 1:20 | sslmode must be one of
      load database pgsql:///a into pgsql:///b                     | 1:15 | expected 'from' after 'load database'
      HEADER with include drop, fast please                        | 4:20 | expected a 'with' option (include drop,
      HEADER with downcase identifiers                             | 4:6  | 'downcase identifiers' is refused
      HEADER with batch rows = many                                | 4:19 | with batch rows: expected a whole number, got 'many'
      HEADER with batch rows = 0                                   | 4:19 | with batch rows: must be between 1 and 10000000, got 0
      HEADER with batch size = 0 MB                                | 4:19 | with batch size: must be greater than zero
      HEADER with batch size = 20 XB                               | 4:22 | expected a clause (with, set, cast,
      HEADER with workers = 4 MB                                   | 4:16 | with workers: expected a whole number, got '4MB'
      HEADER with prefetch rows = lots                             | 4:22 | with prefetch rows: expected a whole number, got 'lots'
      HEADER with workers = ,                                      | 4:16 | expected a value after 'workers =', got ','
      HEADER with workers 4                                        | 4:14 | expected '=' after 'workers'
      HEADER with include drop, include no drop                    | 4:20 | sets what line 4 column 6 set already
      HEADER with data only, drop indexes                          | 4:6  | 'drop indexes' with data only is refused
      HEADER set mysql parameters net_read_timeout = '120'         | 4:5  | 'set mysql parameters' is refused
      HEADER set work_mem '16MB'                                   | 4:14 | expected 'to' or '=' after the parameter work_mem
      HEADER cast type bigint when (= precision 20) to bigserial   | 4:18 | 'when' guards in cast rules are refused
      HEADER cast type varchar to text using tinyint-to-bool       | 4:33 | cast type varchar: 'tinyint-to-bool' is not a transform with a PostgreSQL equivalent
      HEADER cast column seen_at to timestamptz                    | 4:6  | write the column as table.column
      HEADER cast column s.t.c.x to text                           | 4:6  | cast column s.t.c.x: column 's.t.c.x' has too many dotted parts
      HEADER cast column t.c using , to text                       | 4:23 | expected a transform after 'using' (empty-string-to-null,
      HEADER cast impressions.seen_at to timestamptz               | 4:6  | expected 'column' or 'type' to start a cast rule
      HEADER cast type date drop extra                             | 4:21 | 'drop extra' is refused
      HEADER materialize views film_list                           | 4:1  | 'materialize views' is refused: pgloader copies each view's rows into a table of the target, and creates on the source the views written in the clause; pg2citus never writes its source
      HEADER alter table names matching ~/./ set (fillfactor = '40') | 4:33 | 'alter table names matching … set (…)' is refused: pg2citus does not carry storage parameters; set them on the target after the migration with ALTER TABLE … SET (…)
      HEADER alter table names matching 'film' set tablespace 'fast' | 4:35 | 'alter table names matching … set tablespace' is refused: pg2citus does not carry tablespaces; set them on the target after the migration with ALTER TABLE … SET TABLESPACE
      HEADER alter schema 'sakila' rename 'pagila'                 | 4:30 | expected 'to' after 'rename', got 'pagila'
      HEADER alter schema 'sakila' to 'pagila'                     | 4:23 | expected 'rename' after 'alter schema sakila', got 'to'
      HEADER alter schema 'sakila' rename to                       | 4:32 | expected the new schema name after 'rename to', got the end of the file
      HEADER alter schema 'a' rename to 'b' alter schema 'a' rename to 'c' | 4:45 | the schema 'a' is renamed twice (line 4 column 14 renames it already)
      HEADER alter table names matching 'film' drop                | 4:35 | expected 'rename to' or 'set schema' after the table names, got 'drop'
      HEADER alter table names matching 'film' set owner 'x'       | 4:39 | expected 'schema' after 'set', got 'owner'
      HEADER alter table names matching 'film' rename to distribute | 4:45 | expected the new table name after 'rename to', got 'distribute'
      HEADER alter table names matching , 'film' rename to 'films' | 4:28 | expected a table name in quotes or a ~/regular expression/, got ','
      HEADER alter view 'v' rename to 'w'                          | 4:7  | expected 'schema' or 'table names matching' after 'alter', got 'view'
      HEADER decoding table names matching ~/x/ as utf8            | 4:1  | 'decoding table names matching' is refused
      HEADER including table names matching 'ads'                  | 4:11 | expected 'only' here, got 'table'
      HEADER excluding table names matching ~/unclosed             | 4:32 | this regular expression is never closed with /
      HEADER before load do create table x ()                      | 4:16 | expected a $$ … $$ block of SQL, got 'create'
      HEADER before load do $$ create table x ()                   | 4:16 | this $$ block is never closed with $$
      HEADER after create schema do $$ select 1 $$                 | 4:7  | 'after create schema do' is refused
      HEADER distribute companies on id                            | 4:22 | expected 'using <column>' or 'as reference table'
      HEADER distribute companies as reference                     | 4:34 | expected 'table' here, got the end of the file
      HEADER distribute companies using id; load database          | 4:32 | runs one 'load database' command per file
      HEADER /* never closed                                       | 4:1  | this /* comment is never closed
      HEADER with include drop ,, truncate                         | 4:20 | expected a 'with' option
      HEADER cast column "ads.name to text                         | 4:13 | this quoted name is never closed
      HEADER frobnicate                                            | 4:1  | expected a clause (with, set, cast,
      """)
  void errorsNameLineAndColumn(String text, String where, String message) {
    ConfigException e = fails(text.replace("HEADER ", HEADER));
    assertTrue(e.getMessage().startsWith("test.load:" + where + ": "), e.getMessage());
    assertMentions(e, message);
  }

  @Test
  void passwordsStayOutOfErrors() {
    ConfigException e = fails("load database from pgsql://me:hunter2@db/a?bad=1 into pgsql:///b");
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    e = fails("load database from mysql://me:hunter2@db/a into pgsql:///b");
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void rulesThatThePlannerChecksPointAtTheCommandFile() {
    ConfigException e = fails(HEADER + "\ndistribute companies using \"a\".\"b\"");
    assertTrue(e.getMessage().startsWith("test.load:5:"), e.getMessage());
  }

  // ---- convert

  @Test
  void convertWritesYamlThatReadsBackToTheSameModel() {
    String text = """
        load database
          from pgsql://app:s3cret@src.example:5433/shop?sslmode=require
          into pgsql://coord.example/dim
        with include drop, reset no sequences, batch size = 8 MB, on error resume next
        set work_mem to '64MB', search_path to 'app, public'
        cast column impressions.seen_at to "timestamp with time zone" drop default,
             type int4 to bigint drop typemod, column ads.name using right-trim
        including only table names matching ~/^camp/, 'Ads: yes' in schema 'public'
        excluding table names matching 'yes'
        before load do $$
          create table if not exists audit (
              note text);
        $$
        distribute companies using id
        distribute "Sales"."Countries" as reference table;
        """;
    String yaml = yaml(text);
    assertFalse(yaml.contains("s3cret"), yaml);
    assertTrue(yaml.contains("password: ${SOURCE_PASSWORD}"), yaml);
    assertTrue(yaml.contains("# line 14: distribute companies using id"), yaml);
    assertTrue(yaml.contains("reset no sequences: the target's sequences keep their start values"), yaml);

    Map<String, String> env = Map.of("SOURCE_PASSWORD", "s3cret", "PGPASSWORD", "from-env");
    MigrationConfig fromYaml = new ConfigLoader(env::get).parse(yaml, "converted.yaml", Overrides.none());
    MigrationConfig fromLoad = new ConfigLoader(env::get).parseCommandFile(text, "test.load", Overrides.none());
    assertEquals(fromLoad.source(), fromYaml.source());
    assertEquals(fromLoad.target(), fromYaml.target());
    assertEquals(fromLoad.load(), fromYaml.load());
    assertEquals(strings(fromLoad.casts()), strings(fromYaml.casts()));
    assertTrue(strings(fromYaml.casts()).contains("cast column ads.name using right-trim"), yaml);
    assertEquals(strings(fromLoad.rules()), strings(fromYaml.rules()));
    assertEquals(fromLoad.beforeLoad(), fromYaml.beforeLoad());
    for (TableName t : List.of(new TableName("public", "campaigns"), new TableName("public", "Ads: yes"),
        new TableName("public", "yes"), new TableName("other", "campaigns"))) {
      assertEquals(fromLoad.selects(t), fromYaml.selects(t), t.toString());
    }
  }

  @Test
  void convertWritesTheRenamesThatReadBackTheSame() {
    String text = HEADER + """
        alter schema 'public' rename to 'app'
        alter schema 'Sales: EU' rename to 'yes'
        alter table names matching 'film', ~/_list$/ in schema 'public' rename to 'films'
        alter table names matching ~<^mv_> set schema 'mv';
        """;
    String yaml = yaml(text);
    assertTrue(yaml.contains("""
        rename:
          schemas:
            # line 4: alter schema 'public' rename to 'app'
            public: app
            # line 5: alter schema 'Sales: EU' rename to 'yes'
            'Sales: EU': 'yes'
          tables:
            # line 6: alter table names matching 'film', ~/_list$/ in schema 'public' rename to 'films'
            - schema: public
              name: film
              rename-to: films
        """), yaml);

    Renames fromYaml = new ConfigLoader(ENV::get).parse(yaml, "converted.yaml", Overrides.none()).renames();
    Renames fromLoad = parse(text).renames();
    assertEquals(fromLoad.schemas(), fromYaml.schemas());
    assertEquals(strings(fromLoad.tables().stream().map(r -> r.renameTo() + " " + r.setSchema()).toList()),
        strings(fromYaml.tables().stream().map(r -> r.renameTo() + " " + r.setSchema()).toList()));
    for (TableName t : List.of(new TableName("public", "film"), new TableName("public", "film_list"),
        new TableName("other", "film"), new TableName("Sales: EU", "mv_daily"), new TableName("x", "y"))) {
      assertEquals(fromLoad.of(t), fromYaml.of(t), t.toString());
    }
  }
}
