package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
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
