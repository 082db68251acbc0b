package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The schema tool against real Citus: plan, create and finalize give the distribution, keys and
 * foreign keys the notes expect. Skips, saying why, where no Citus can be started.
 */
class CitusSchemaToolTest {
  @BeforeEach
  void needsCitus() {
    TestCitus.assumeAvailable();
  }

  private static MigrationConfig config(String sourceDb, String targetDb, String yaml) {
    return TestConfigs.of(TestPostgres.jdbcUrl(sourceDb), TestCitus.jdbcUrl(targetDb), TestPostgres.user(), yaml);
  }

  @Test
  void tutorialWithOneRootRuleGivesTheExpectedDistribution() throws SQLException {
    String src = TestPostgres.freshDatabase("tutorial_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + "INSERT INTO companies (name, created_at, updated_at) SELECT 'c' || i, now(), now() FROM generate_series(1, 7) i;");
    String dst = TestCitus.freshDatabase("tutorial_dst");
    SchemaRuns.createAndFinalize(config(src, dst, """
        distribute:
          - companies using id
        load:
          include-drop: true
        """));

    Map<String, String> columns = new LinkedHashMap<>();
    Set<Long> colocationIds = new TreeSet<>();
    query(dst, "SELECT table_name::text, citus_table_type, distribution_column, colocation_id FROM citus_tables"
        + " ORDER BY 1", rs -> {
          assertEquals("distributed", rs.getString(2));
          columns.put(rs.getString(1), rs.getString(3));
          colocationIds.add(rs.getLong(4));
        });
    assertEquals(Map.of("ads", "company_id", "campaigns", "company_id", "clicks", "company_id",
        "companies", "id", "impressions", "company_id"), columns);
    assertEquals(1, colocationIds.size(), "one colocation group");
    assertEquals(List.of("32"), strings(dst, "SELECT DISTINCT shard_count::text FROM citus_tables"));

    assertEquals(List.of(
            "ads PRIMARY KEY (company_id, id)",
            "campaigns PRIMARY KEY (company_id, id)",
            "clicks PRIMARY KEY (company_id, id)",
            "companies PRIMARY KEY (id)",
            "impressions PRIMARY KEY (company_id, id)"),
        strings(dst, "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
            + " WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1"));
    assertEquals(List.of(
            "ads FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns(company_id, id)",
            "campaigns FOREIGN KEY (company_id) REFERENCES companies(id)",
            "clicks FOREIGN KEY (company_id, ad_id) REFERENCES ads(company_id, id)",
            "impressions FOREIGN KEY (company_id, ad_id) REFERENCES ads(company_id, id)"),
        strings(dst, "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
            + " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1"));
    // The added columns come first and may not be NULL.
    assertEquals(List.of("ads", "clicks", "impressions"), strings(dst,
        "SELECT attrelid::regclass::text FROM pg_attribute WHERE attname = 'company_id' AND attnum = 1"
            + " AND attnotnull ORDER BY 1"));
    // Sequences are set on the coordinator, and inserts through it continue from there.
    assertEquals(List.of("8"), strings(dst, "SELECT nextval('companies_id_seq')::text"));
  }

  @Test
  void oddNamesReferenceTablesAndUserTypesWorkOnCitus() throws SQLException {
    String src = TestPostgres.freshDatabase("odd_src");
    TestPostgres.execute(src, EmbeddedDefault.resource("/dev/pg2citus/ddl/fidelity-schema.sql"));
    String dst = TestCitus.freshDatabase("odd_dst");
    SchemaRuns.createAndFinalize(config(src, dst, """
        distribute:
          - '"Sales Dept"."Customer" using tenant_code'
        citus:
          auto-reference-tables: true
          shard-count: 4
        """));

    Map<String, String> kinds = new LinkedHashMap<>();
    query(dst, "SELECT table_name::text, citus_table_type, distribution_column FROM citus_tables"
        + " ORDER BY 1", rs -> kinds.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3)));
    assertEquals(Map.of(
        "\"Sales Dept\".\"Customer\"", "distributed tenant_code",
        "orders", "distributed tenant_code",
        "tenants", "reference <none>"), withoutLocal(kinds));
    assertEquals(List.of("(tenant_code, \"Id\")"), strings(dst,
        "SELECT substring(pg_get_constraintdef(oid) from '\\(.*\\)') FROM pg_constraint"
            + " WHERE conrelid = '\"Sales Dept\".\"Customer\"'::regclass AND contype = 'p'"));
    assertEquals(List.of("FOREIGN KEY (tenant_code, customer_id) REFERENCES \"Sales Dept\".\"Customer\"(tenant_code, \"Id\")"
            + " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"),
        strings(dst, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'orders'::regclass"
            + " AND contype = 'f'"));
  }

  @Test
  void partitionedTablesAreDistributedWithTheirPartitions() throws SQLException {
    String src = TestPostgres.freshDatabase("part_src");
    TestPostgres.execute(src, EmbeddedDefault.resource("/dev/pg2citus/ddl/fidelity-schema.sql"));
    String dst = TestCitus.freshDatabase("part_dst");
    SchemaRuns.createAndFinalize(config(src, dst, """
        tables:
          include: [tenants, events]
        distribute:
          - tenants as reference table
          - events using tenant_id
        """));

    Map<String, String> kinds = new LinkedHashMap<>();
    query(dst, "SELECT table_name::text, citus_table_type || ' ' || distribution_column"
        + " FROM citus_tables ORDER BY 1", rs -> kinds.put(rs.getString(1), rs.getString(2)));
    assertEquals(Map.of("events", "distributed tenant_id", "events_2025", "distributed tenant_id",
        "events_rest", "distributed tenant_id", "tenants", "reference <none>"), kinds);
    assertEquals(List.of("PRIMARY KEY (tenant_id, id, seen)"), strings(dst,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'p'"));
    assertEquals(List.of("events_2025_seen_idx", "events_rest_seen_idx"), strings(dst,
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN ('events_2025'::regclass,"
            + " 'events_rest'::regclass) AND NOT indisprimary ORDER BY 1"));
  }

  @Test
  void citusRefusalsAreFoundInThePlanBeforeAnythingIsWritten() throws SQLException {
    String src = TestPostgres.freshDatabase("refusals_src");
    StringBuilder wide = new StringBuilder("CREATE TABLE wide (mid_id int REFERENCES mids");
    for (int i = 2; i <= 1600; i++) {
      wide.append(", c").append(i).append(" int");
    }
    TestPostgres.execute(src, """
        CREATE TABLE roots (id int PRIMARY KEY);
        CREATE TABLE mids (id int PRIMARY KEY, root_id int REFERENCES roots);
        CREATE TABLE ml (t int, d date) PARTITION BY RANGE (d);
        CREATE TABLE ml_1 PARTITION OF ml FOR VALUES FROM ('2020-01-01') TO ('2021-01-01') PARTITION BY LIST (t);
        CREATE TABLE ml_1_a PARTITION OF ml_1 FOR VALUES IN (1);
        CREATE TABLE bookings (root_id int REFERENCES roots, during tsrange, EXCLUDE USING gist (during WITH &&));
        """ + wide + ");");
    String dst = TestCitus.freshDatabase("refusals_dst");
    PlanException refused = assertThrows(PlanException.class, () -> SchemaTool.load(config(src, dst, """
        distribute:
          - roots using id
          - ml using t
        """)));
    String message = refused.getMessage();
    assertEquals(2, refused.problems().size(), message);
    assertTrue(message.contains("public.wide has 1600 columns; the added distribution column root_id would take it"
        + " past PostgreSQL's 1600"), message);
    assertTrue(message.contains("public.ml is partitioned in several levels (public.ml_1 is partitioned too), which"
        + " Citus cannot distribute"), message);
    // Checked on the source once the plan stands: gist has no operator class for int without btree_gist.
    PlanException exclusion = assertThrows(PlanException.class, () -> SchemaTool.load(config(src, dst, """
        tables:
          include: [roots, bookings]
        distribute:
          - roots using id
        """)));
    assertEquals(1, exclusion.problems().size(), exclusion.getMessage());
    assertTrue(exclusion.getMessage().contains("exclusion constraint bookings_during_excl of public.bookings (EXCLUDE"
        + " USING gist (during WITH &&)) must hold distribution column root_id WITH =")
        && exclusion.getMessage().contains("CREATE EXTENSION btree_gist"), exclusion.getMessage());
    assertEquals(List.of("0"), strings(dst, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "nothing was written");
  }

  @Test
  void keysThatGainTheDistributionColumnAreRewrittenAndListedWithWhatTheyNoLongerEnforce() throws SQLException {
    String src = TestPostgres.freshDatabase("weakened_src");
    TestPostgres.execute(src, """
        CREATE EXTENSION btree_gist;
        CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
        CREATE TABLE rooms (id int PRIMARY KEY, user_id int REFERENCES users, room int, during tsrange,
                            CONSTRAINT no_double_booking EXCLUDE USING gist (room WITH =, during WITH &&));
        CREATE TABLE visits (id int PRIMARY KEY, room_id int REFERENCES rooms);
        """);
    String dst = TestCitus.freshDatabase("weakened_dst");
    MigrationConfig config = config(src, dst, "distribute: [users using id]\n");
    SchemaTool tool = SchemaTool.load(config);
    List<String> weakened = tool.target().plan().weakenedKeys();
    assertTrue(weakened.contains("UNIQUE (email) on public.users becomes UNIQUE (\"id\", email): email is no longer unique"
        + " across the table, only among rows of one id"), weakened::toString);
    assertTrue(weakened.contains("PRIMARY KEY (id) on public.rooms becomes PRIMARY KEY (\"user_id\", id): id is no longer"
        + " unique across the table, only among rows of one user_id"), weakened::toString);
    assertTrue(weakened.contains("EXCLUDE USING gist (room WITH =, during WITH &&) on public.rooms becomes EXCLUDE"
        + " USING gist (\"user_id\" WITH =, room WITH =, during WITH &&): conflicting rows are excluded only among rows"
        + " of one user_id, no longer across the table"), weakened::toString);
    assertTrue(weakened.contains("foreign key visits_room_id_fkey (visits(room_id) → rooms(id)) becomes (user_id,"
        + " room_id) → rooms(user_id, id): a row may reference only a row of its own user_id, whose key is unique"
        + " only among those rows"), weakened::toString);
    assertTrue(tool.target().plan().render().contains("keys that gain the distribution column"),
        tool.target().plan()::render);
    PhaseReport create = tool.create();
    assertTrue(create.notes().stream().anyMatch(n -> n.startsWith("plan: key rewritten: UNIQUE (email) on public.users")),
        create::render);
    PhaseReport finalize = tool.finalizeSchema();
    assertTrue(!create.failed() && !finalize.failed(), finalize::render);
    assertEquals(List.of("EXCLUDE USING gist (user_id WITH =, room WITH =, during WITH &&)"), strings(dst,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'no_double_booking'"));
  }

  /** citus_tables lists local tables that reference tables pulled into metadata; they are not the point here. */
  private static Map<String, String> withoutLocal(Map<String, String> kinds) {
    Map<String, String> result = new LinkedHashMap<>(kinds);
    result.values().removeIf(v -> v.startsWith("local"));
    return result;
  }

  private interface RowCheck {
    void accept(ResultSet rs) throws SQLException;
  }

  private static void query(String db, String sql, RowCheck check) throws SQLException {
    try (Connection c = TestCitus.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        check.accept(rs);
      }
    }
  }

  private static List<String> strings(String db, String sql) throws SQLException {
    List<String> result = new ArrayList<>();
    query(db, sql, rs -> result.add(rs.getString(1)));
    return result;
  }
}
