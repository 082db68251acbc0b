package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.ConfigLoader.Overrides;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgloader's command file from its Citus documentation, run as it is: the same plan and the same SQL as
 * {@code configs/hackathon.yaml}, with its commented-out explicit rules too, and through {@code convert}.
 */
class LoadFilePlanTest {
  private static final String SEED = EmbeddedDefault.resource("/dev/pg2citus/configs/hackathon.load");
  private static final String YAML = EmbeddedDefault.resource(EmbeddedDefault.CONFIG_RESOURCE);
  private static final Map<String, String> ENV = Map.of();

  private static String tutorial;

  @BeforeAll
  static void tutorialSource() throws SQLException {
    tutorial = TestPostgres.freshDatabase("load_src");
    TestPostgres.execute(tutorial, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE));
  }

  private static Overrides on(String source, String target) {
    return new Overrides(source, target, List.of());
  }

  private static Overrides planOnly() {
    String url = TestPostgres.jdbcUrlWithUser(tutorial);
    return on(url, url);
  }

  /** The plan as {@code pg2citus plan} prints it: placements, then every statement of create and finalize. */
  private static String plan(MigrationConfig config) throws SQLException {
    SchemaTool tool = SchemaTool.load(config);
    return tool.target().plan().render() + "\n" + statements(tool);
  }

  private static String statements(SchemaTool tool) {
    StringBuilder out = new StringBuilder();
    tool.scripts().create().forEach(s -> out.append(s.step()).append(": ").append(s.sql()).append(";\n"));
    tool.scripts().finalizeSchema().forEach(s -> out.append(s.step()).append(": ").append(s.sql()).append(";\n"));
    return out.toString();
  }

  /** Each placement without its reason (which names the rule or foreign key behind it), and every statement. */
  private static String placementsAndSql(MigrationConfig config) throws SQLException {
    SchemaTool tool = SchemaTool.load(config);
    return tool.target().plan().placements().stream().map(p -> p.table() + " " + p.kind() + " " + p.column()
        + " " + p.columnType() + " " + p.backfill() + " " + p.colocationRoot()).toList() + "\n" + statements(tool);
  }

  /** The seed with its commented-out rules in force. */
  private static String explicit() {
    String text = SEED.replace("-- distribute", "distribute");
    assertNotEquals(SEED, text);
    return text;
  }

  @Test
  void theSeedFileAsItIsPlansAsHackathonYaml() throws SQLException {
    String fromYaml = plan(new ConfigLoader(ENV::get).parse(YAML, "hackathon.yaml", planOnly()));
    String fromLoad = plan(new ConfigLoader(ENV::get).parseCommandFile(SEED, "hackathon.load", planOnly()));
    // The one difference: where the rule was written.
    assertTrue(fromLoad.contains("rule 'companies using id' (hackathon.load:9:1: distribute)"), fromLoad);
    assertEquals(fromYaml.replaceAll("\\(hackathon\\.yaml:\\d+: distribute\\[0]\\)",
        "(hackathon.load:9:1: distribute)"), fromLoad);
    assertTrue(fromLoad.contains("create_distributed_table('\"public\".\"impressions\"', 'company_id'"), fromLoad);
    assertTrue(fromLoad.contains("\"seen_at\" timestamp with time zone"), fromLoad);
    assertTrue(fromLoad.contains("DROP TABLE IF EXISTS"), "with include drop: " + fromLoad);
    assertTrue(!fromLoad.contains("SEQUENCE_VALUE"), "reset no sequences: " + fromLoad);
  }

  @Test
  void theSeedFileWithItsExplicitRulesPlansTheSame() throws SQLException {
    MigrationConfig config = new ConfigLoader(ENV::get).parseCommandFile(explicit(), "explicit.load", planOnly());
    assertEquals(5, config.rules().size());
    assertEquals(placementsAndSql(new ConfigLoader(ENV::get).parse(YAML, "hackathon.yaml", planOnly())),
        placementsAndSql(config));
  }

  /** The seed with rename clauses before its distribute clause. */
  private static String renaming(String clauses) {
    String text = SEED.replace("distribute companies using id", clauses + "\ndistribute companies using id");
    assertNotEquals(SEED, text);
    return text;
  }

  @Test
  void renamesOfTheCommandFileRunLastInFinalize() throws SQLException {
    MigrationConfig config = new ConfigLoader(ENV::get).parseCommandFile(renaming(
        "alter schema 'public' rename to 'dim'\nalter table names matching 'clicks' rename to 'ad clicks'"),
        "renames.load", planOnly());
    assertTrue(config.notes().stream().anyMatch(n -> n.startsWith("alter … rename: pgloader renames before it creates;"
        + " pg2citus creates and loads under the source names and renames last")), config.notes()::toString);
    SchemaTool tool = SchemaTool.load(config);
    List<DdlStatement> finalize = tool.scripts().finalizeSchema();
    List<String> renames = finalize.stream().filter(s -> s.step() == Step.RENAME).map(DdlStatement::sql).toList();
    assertEquals(List.of(
        "ALTER TABLE \"public\".\"ads\" SET SCHEMA \"dim\"",
        "ALTER TABLE \"public\".\"campaigns\" SET SCHEMA \"dim\"",
        "ALTER TABLE \"public\".\"clicks\" RENAME TO \"ad clicks\"",
        "ALTER TABLE \"public\".\"ad clicks\" SET SCHEMA \"dim\"",
        "ALTER TABLE \"public\".\"companies\" SET SCHEMA \"dim\"",
        "ALTER TABLE \"public\".\"impressions\" SET SCHEMA \"dim\""), renames);
    assertEquals(Step.RENAME, finalize.get(finalize.size() - 1).step(), "the renames come last");
    assertTrue(tool.scripts().create().stream().anyMatch(s -> s.sql().equals("CREATE SCHEMA IF NOT EXISTS \"dim\"")));
    assertTrue(tool.target().names().render().contains("public.clicks → dim.\"ad clicks\""),
        tool.target().names().render());
  }

  @Test
  void renamesThatWouldClashAreRefusedBeforeAnythingIsWritten() {
    PlanException e = assertThrows(PlanException.class, () -> SchemaTool.load(new ConfigLoader(ENV::get)
        .parseCommandFile(renaming("alter table names matching ~/^ad/, 'clicks' rename to 'events'\n"
            + "alter table names matching 'companies' rename to 'campaigns'\n"
            + "alter table names matching 'campaigns' rename to 'ad campaigns'"), "clash.load", planOnly())));
    assertEquals(List.of(
        "rename: public.ads and public.clicks would both be public.events on the target; give one of them another"
            + " name",
        "rename: public.companies would take the name public.campaigns, which public.campaigns of the source has"
            + " until it is renamed itself; rename in two migrations, or on the target afterwards"), e.problems());
  }

  @Test
  void convertedYamlPlansAsTheCommandFile(@TempDir Path dir) throws Exception {
    for (String text : List.of(SEED, explicit(), renaming("alter schema 'public' rename to 'dim'\n"
        + "alter table names matching ~/^c/ in schema 'public' set schema 'Other'"))) {
      Path file = dir.resolve("seed.load");
      Files.writeString(file, text);
      String yaml = new ConfigLoader(ENV::get).convertCommandFile(file);
      assertEquals(placementsAndSql(new ConfigLoader(ENV::get).loadCommandFile(file, planOnly())),
          placementsAndSql(new ConfigLoader(ENV::get).parse(yaml, "converted.yaml", planOnly())), yaml);
    }
  }

  @Test
  void aTransformOnAKeyColumnIsRefusedAtItsRule() {
    String text = SEED.replace("cast column impressions.seen_at to \"timestamp with time zone\"",
        "cast column impressions.seen_at to \"timestamp with time zone\", column ads.campaign_id using right-trim");
    ConfigException e = assertThrows(ConfigException.class, () -> SchemaTool.load(
        new ConfigLoader(ENV::get).parseCommandFile(text, "keys.load", planOnly())));
    assertTrue(e.getMessage().startsWith("keys.load:7:64: cast column ads.campaign_id: 'using right-trim' on "
        + "public.ads.campaign_id: the column is part of a key"), e.getMessage());
  }

  @Test
  void beforeLoadSettingsAndAfterLoadRunOnTheTarget() throws SQLException {
    String dst = TestPostgres.freshDatabase("load_dst");
    String text = """
        load database
          from pgsql:///ignored
          into pgsql:///ignored
        with include drop, create indexes
        set work_mem to '12MB', application_name = 'from the load file', search_path to 'audit, public'
        before load do
          $$ create schema audit; $$,
          $$ create table audit.events (what text, indexes_then bigint);
             insert into audit.events select 'before', count(*) from pg_indexes where schemaname = 'public'; $$
        after load do
          $$ insert into events
               select current_setting('work_mem') || ' ' || current_setting('application_name'), count(*)
               from pg_indexes where schemaname = 'public'; $$
        ;
        """;
    MigrationConfig config = new ConfigLoader(ENV::get).parseCommandFile(text, "hooks.load",
        on(TestPostgres.jdbcUrlWithUser(tutorial), TestPostgres.jdbcUrlWithUser(dst))).withPlainTarget();
    SchemaRuns.createAndFinalize(config);
    long indexes = TestPostgres.scalar(tutorial, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
    try (Connection c = TestPostgres.connect(dst)) {
      // before load ran before any table was created, after load once every index was built, and the
      // target session had the file's settings (search_path found audit.events).
      assertEquals(List.of("before 0", "12MB from the load file " + indexes), TestPostgres.rows(c,
          "SELECT what || ' ' || indexes_then FROM audit.events ORDER BY indexes_then"));
    }
  }

  @Test
  void theSeedFileAsItIsCreatesTheCitusTargetOfHackathonYaml() throws SQLException {
    TestCitus.assumeAvailable();
    String fromYaml = TestCitus.freshDatabase("load_yaml_dst");
    String fromLoad = TestCitus.freshDatabase("load_file_dst");
    String source = TestPostgres.jdbcUrlWithUser(tutorial);
    SchemaRuns.createAndFinalize(new ConfigLoader(ENV::get).parse(YAML, "hackathon.yaml",
        on(source, TestCitus.jdbcUrl(fromYaml) + "?user=" + TestPostgres.user())));
    SchemaRuns.createAndFinalize(new ConfigLoader(ENV::get).parseCommandFile(SEED, "hackathon.load",
        on(source, TestCitus.jdbcUrl(fromLoad) + "?user=" + TestPostgres.user())));
    String tables = "SELECT table_name || ' ' || citus_table_type || ' ' || distribution_column || ' '"
        + " || (SELECT count(*) FROM citus_tables o WHERE o.colocation_id = t.colocation_id)"
        + " FROM citus_tables t ORDER BY 1";
    String constraints = "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE connamespace = 'public'::regnamespace ORDER BY 1";
    String columns = "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable"
        + " FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position";
    try (Connection yaml = TestCitus.connect(fromYaml); Connection load = TestCitus.connect(fromLoad)) {
      for (String query : List.of(tables, constraints, columns)) {
        assertEquals(TestPostgres.rows(yaml, query), TestPostgres.rows(load, query), query);
      }
      assertEquals(5, TestPostgres.rows(load, tables).size());
      assertTrue(TestPostgres.rows(load, columns).contains("impressions.seen_at timestamp with time zone NO"),
          TestPostgres.rows(load, columns).toString());
    }
  }
}
