package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.Index;
import dev.pg2citus.catalog.KeyConstraint;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.plan.PlanException;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema tool against a plain PostgreSQL target: exact carry-over, and the key rewrites. */
class SchemaToolTest {
  private static final TableName CUSTOMER = new TableName("Sales Dept", "Customer");
  private static final TableName ORDERS = new TableName("public", "orders");

  private static String source() throws SQLException {
    String db = TestPostgres.freshDatabase("fidelity_src");
    TestPostgres.execute(db, EmbeddedDefault.resource("/dev/pg2citus/ddl/fidelity-schema.sql"));
    return db;
  }

  private static Catalog read(String db) throws SQLException {
    try (Connection c = TestPostgres.connect(db)) {
      return new CatalogReader(c).read(t -> true);
    }
  }

  @Test
  void withoutRulesTheTargetSchemaEqualsTheSource() throws SQLException {
    String src = source();
    String dst = TestPostgres.freshDatabase("fidelity_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "load:\n  include-drop: true\n");

    SchemaRuns.createAndFinalize(config);
    // A second run over the same target drops and recreates cleanly.
    SchemaRuns.createAndFinalize(config);

    Catalog expected = read(src);
    Catalog actual = read(dst);
    assertEquals(7, expected.tables().size(), "tables, partitions included");
    assertEquals(4, expected.types().size(), "enum, domain, composite, range");
    assertEquals(4, expected.sequences().size(), "two serial, two identity");
    assertEquals(names(expected), names(actual));
    assertEquals(1, expected.table(new TableName("public", "scratch")).orElseThrow().exclusionConstraints().size());
    for (Table want : expected.tables()) {
      Table got = actual.table(want.name()).orElseThrow();
      assertEquals(want.columns(), got.columns(), want.name() + " columns");
      assertEquals(want.primaryKey(), got.primaryKey(), want.name() + " primary key");
      assertEquals(want.uniqueConstraints(), got.uniqueConstraints(), want.name() + " unique constraints");
      assertEquals(want.exclusionConstraints(), got.exclusionConstraints(), want.name() + " exclusion constraints");
      assertEquals(want.indexes(), got.indexes(), want.name() + " indexes");
      assertEquals(want.foreignKeys(), got.foreignKeys(), want.name() + " foreign keys");
      assertEquals(want.checks(), got.checks(), want.name() + " checks");
      assertEquals(want.comment(), got.comment(), want.name() + " comment");
      assertEquals(want.unlogged(), got.unlogged(), want.name() + " unlogged");
      assertEquals(want.partitionKey(), got.partitionKey(), want.name() + " partition key");
      assertEquals(want.partitionBound(), got.partitionBound(), want.name() + " partition bound");
    }
    assertEquals(expected.types(), actual.types());
    assertEquals(expected.sequences(), actual.sequences(), "sequences, with their values");
  }

  @Test
  void distributionRewritesKeysAndAddsTheColumnFirst() throws SQLException {
    String src = source();
    String dst = TestPostgres.freshDatabase("rewrite_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute:
          - '"Sales Dept"."Customer" using tenant_code'
        citus:
          auto-reference-tables: true
        """).withPlainTarget();
    SchemaTool tool = SchemaTool.load(config);
    PhaseReport create = tool.create();
    assertFalse(create.failed(), create::render);
    assertTrue(create.notes().stream().anyMatch(n -> n.contains("distribution skipped")), create::render);
    PhaseReport finalize = tool.finalizeSchema();
    assertFalse(finalize.failed(), finalize::render);
    PhaseReport again = tool.finalizeSchema();
    assertFalse(again.failed(), "a second finalize recognises what the first built: " + again.render());
    assertTrue(again.notes().stream().anyMatch(n -> n.contains("were on the target already")), again::render);

    Catalog target = read(dst);
    Table customer = target.table(CUSTOMER).orElseThrow();
    assertEquals(List.of("tenant_code", "Id"), customer.primaryKey().columns());
    Index email = customer.indexes().stream().filter(i -> i.name().equals("customer_email_lower")).findFirst().orElseThrow();
    assertTrue(email.definition().contains("(tenant_code, lower(email)) WHERE (email IS NOT NULL)"), email.definition());

    Table orders = target.table(ORDERS).orElseThrow();
    Column first = orders.columns().get(0);
    assertEquals("tenant_code", first.name());
    assertEquals("text", first.type());
    assertTrue(first.notNull());
    assertEquals(List.of("tenant_code", "id"), orders.primaryKey().columns());
    KeyConstraint unique = orders.uniqueConstraints().get(0);
    assertEquals(List.of("tenant_code", "customer_id", "number"), unique.columns());
    ForeignKey fk = orders.foreignKeys().get(0);
    assertEquals(List.of("tenant_code", "customer_id"), fk.columns());
    assertEquals(CUSTOMER, fk.referenced());
    assertEquals(List.of("tenant_code", "Id"), fk.referencedColumns());
    assertEquals(" ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED", fk.options());

    // The key to the reference table stays as it is.
    ForeignKey toTenants = customer.foreignKeys().get(0);
    assertEquals(List.of("tenant_code"), toTenants.columns());
    assertEquals(List.of("code"), toTenants.referencedColumns());
    // Untouched tables carry over exactly.
    assertEquals(read(src).table(new TableName("public", "events")).orElseThrow().columns(),
        target.table(new TableName("public", "events")).orElseThrow().columns());
  }

  /** A filter that matches nothing would otherwise migrate "0 tables" and call the migration complete. */
  @Test
  void anIncludeFilterThatMatchesNoTableIsRefusedWhereItIsWritten() throws SQLException {
    String src = TestPostgres.freshDatabase("filter_src");
    TestPostgres.execute(src, "CREATE TABLE companies (id int PRIMARY KEY); CREATE TABLE \"Mixed Case\" (id int)");
    PlanException typo = assertThrows(PlanException.class, () -> SchemaTool.load(TestConfigs.onTestPostgres(src, src, """
        tables:
          include: [companies, compnies, mixed_case]
        """)));
    assertEquals(2, typo.problems().size(), typo.getMessage());
    assertTrue(typo.problems().get(0).contains("tables.include[1]") && typo.problems().get(0).contains(
        "this tables.include entry matches no table of the source"), typo.getMessage());
    assertTrue(typo.problems().get(1).contains("tables.include[2]"), typo.getMessage());

    SchemaTool excludeNothing = SchemaTool.load(TestConfigs.onTestPostgres(src, src, """
        tables:
          include: [companies, '"Mixed Case"']
          exclude: [nothing_here]
        """));
    assertEquals(2, excludeNothing.target().catalog().tables().size()); // an exclude that matches nothing is warned

    // A schema filter that matches nothing is refused as a name filter is.
    PlanException noSchema = assertThrows(PlanException.class, () -> SchemaTool.load(TestConfigs.onTestPostgres(src,
        src, "tables:\n  include: [{schema: sales}]\n")));
    assertTrue(noSchema.getMessage().contains("tables.include[0]: this tables.include entry matches no table"),
        noSchema.getMessage());

    // Filters that each match a table but together leave none: exclude-only, or an exclude over the includes.
    for (String filters : List.of("exclude: [{schema-matches: '^pub'}]",
        "include: [companies]\n  exclude: [{name-matches: '^comp'}]")) {
      PlanException none = assertThrows(PlanException.class, () -> SchemaTool.load(TestConfigs.onTestPostgres(src,
          src, "tables:\n  " + filters + "\n")));
      assertEquals(1, none.problems().size(), none.getMessage());
      assertTrue(none.problems().get(0).startsWith("the table filters leave no table of the source to migrate (")
          && none.problems().get(0).contains("tables.exclude[0]"), none.getMessage());
    }
  }

  @Test
  void rulesThatNeedCitusFailOnATargetWithoutIt() throws SQLException {
    String src = source();
    String dst = TestPostgres.freshDatabase("nocitus_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute:
          - tenants as reference table
        """);
    SchemaTool tool = SchemaTool.load(config);
    ConfigException refused = assertThrows(ConfigException.class, tool::create);
    assertTrue(refused.getMessage().contains("has no citus extension"), refused.getMessage());
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE relname = 'tenants'"),
        "nothing may run when the target cannot take the plan");

    // Tables already there stop create before its first statement, unless they are dropped first.
    MigrationConfig plain = config.withPlainTarget();
    assertFalse(SchemaTool.load(plain).create().failed());
    ConfigException exists = assertThrows(ConfigException.class, () -> SchemaTool.load(plain).create());
    assertTrue(exists.getMessage().contains("of the tables already (") && exists.getMessage().contains("include-drop"),
        exists.getMessage());
  }

  @Test
  void extensionsCollationsCastSequencesAndHostileCommentsCarryOver() throws SQLException {
    String src = TestPostgres.freshDatabase("ext_src");
    TestPostgres.execute(src, """
        CREATE SCHEMA ext;
        CREATE EXTENSION "uuid-ossp" SCHEMA ext;
        CREATE EXTENSION citext SCHEMA ext;
        CREATE COLLATION my_c (provider = libc, locale = 'C');
        CREATE TABLE t (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            n serial,
            u uuid DEFAULT ext.uuid_generate_v4(),
            name ext.citext,
            label text COLLATE my_c,
            note text DEFAULT 'a\\b');
        COMMENT ON TABLE t IS 'x\\''; CREATE TABLE pwned(); --';
        INSERT INTO t (name) SELECT 'n' || i FROM generate_series(1, 5) i;
        """);
    String dst = TestPostgres.freshDatabase("ext_dst");
    TestPostgres.execute(dst, "ALTER DATABASE " + dst + " SET standard_conforming_strings = off");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        casts:
          - type: integer
            to: bigint
        """);
    SchemaTool tool = SchemaTool.load(config);
    PhaseReport create = tool.create();
    assertFalse(create.failed(), create::render);
    // The source moves on between create and finalize: finalize sets the sequences to where it is now.
    TestPostgres.execute(src, "INSERT INTO t (name) SELECT 'late' || i FROM generate_series(1, 3) i");
    PhaseReport finalize = tool.finalizeSchema();
    assertFalse(finalize.failed(), finalize::render);

    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_class WHERE relname = 'pwned'"));
    assertEquals(List.of("x\\'; CREATE TABLE pwned(); --"), strings(dst, "SELECT obj_description('t'::regclass)"));
    assertEquals(List.of("'a\\b'::text"), strings(dst,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass AND adnum = 6"));
    assertEquals(List.of("ext.uuid_generate_v4()"), strings(dst,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass AND adnum = 3"));
    assertEquals(List.of("my_c"), strings(dst, "SELECT collname FROM pg_attribute a JOIN pg_collation c"
        + " ON c.oid = a.attcollation WHERE attrelid = 't'::regclass AND attname = 'label'"));
    assertEquals(List.of("bigint 9223372036854775807 8", "bigint 9223372036854775807 8"), strings(dst,
        "SELECT data_type || ' ' || max_value || ' ' || last_value FROM pg_sequences ORDER BY sequencename"));
  }

  @Test
  void foreignKeysCitusCannotEnforceAreLeftOutWithAWarning() throws SQLException {
    String src = TestPostgres.freshDatabase("selfref_src");
    TestPostgres.execute(src, """
        CREATE TABLE companies (id bigint PRIMARY KEY, parent_id bigint REFERENCES companies (id));
        CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id),
                                parent_id bigint REFERENCES campaigns (id));
        """);
    String dst = TestPostgres.freshDatabase("selfref_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "distribute: [companies using id]\n")
        .withPlainTarget();
    SchemaTool tool = SchemaTool.load(config);
    assertTrue(tool.target().plan().warnings().stream()
        .anyMatch(w -> w.contains("companies_parent_id_fkey") && w.contains("not created")),
        () -> tool.target().plan().render());
    SchemaRuns.createAndFinalize(config);
    assertEquals(List.of(
            "campaigns FOREIGN KEY (company_id) REFERENCES companies(id)",
            "campaigns FOREIGN KEY (company_id, parent_id) REFERENCES campaigns(company_id, id)"),
        strings(dst, "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
            + " WHERE contype = 'f' ORDER BY 1"));
  }

  @Test
  void whatNeedsAnObjectThatFailedIsNotIssuedButNoted() throws SQLException {
    String src = TestPostgres.freshDatabase("fold_src");
    TestPostgres.execute(src, """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        CREATE VIEW item_names AS SELECT name FROM items;
        CREATE VIEW item_count AS SELECT count(*) FROM item_names;
        COMMENT ON VIEW item_names IS 'names only';
        DO $$ BEGIN IF to_regrole('fold_owner') IS NULL THEN CREATE ROLE fold_owner; END IF; END $$;
        ALTER VIEW item_names OWNER TO fold_owner; -- another role than the migrating user: a statement
        ALTER VIEW item_count OWNER TO fold_owner;
        """);
    String dst = TestPostgres.freshDatabase("fold_dst");
    TestPostgres.execute(dst, "CREATE TABLE item_names (taken int)"); // the view cannot be made
    SchemaTool tool = SchemaTool.load(TestConfigs.onTestPostgres(src, dst, "").withPlainTarget());
    PhaseReport create = tool.create();
    assertEquals(1, create.errors().size(), create::render);
    assertTrue(create.errors().get(0).contains("\"item_names\" is not a view"), create::render);
    assertEquals(List.of("not issued, since public.item_names failed: comments public.item_names",
            "not issued, since public.item_names failed: views public.item_count"),
        create.notes().stream().filter(n -> n.startsWith("not issued")).toList(), create::render);
    PhaseReport finalize = tool.finalizeSchema();
    assertTrue(finalize.errors().isEmpty(), finalize::render);
    assertEquals(List.of("not issued, since public.item_count failed: owners VIEW public.item_count",
            "not issued, since public.item_names failed: owners VIEW public.item_names"),
        finalize.notes().stream().filter(n -> n.startsWith("not issued")).toList(), finalize::render);
  }

  @Test
  void planWarnsWhenBackfillKeysMayPrintDifferently() throws SQLException {
    String src = TestPostgres.freshDatabase("keytypes_src");
    TestPostgres.execute(src, """
        CREATE TABLE companies (id bigint PRIMARY KEY);
        CREATE TABLE campaigns (id numeric(10,2) PRIMARY KEY, company_id bigint REFERENCES companies (id));
        CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id numeric REFERENCES campaigns (id));
        """);
    MigrationConfig config = TestConfigs.onTestPostgres(src, src, "distribute: [companies using id]\n");
    List<String> warnings = SchemaTool.load(config).target().plan().warnings();
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).contains("ads.campaign_id (numeric) to campaigns.id (numeric(10,2))"), warnings::toString);
  }

  /** Rows of the first column, read with standard strings whatever the database's default. */
  private static List<String> strings(String db, String sql) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement()) {
      st.execute("SET standard_conforming_strings = on");
      try (ResultSet rs = st.executeQuery(sql)) {
        while (rs.next()) {
          result.add(rs.getString(1));
        }
      }
    }
    return result;
  }

  private static List<TableName> names(Catalog catalog) {
    return catalog.tables().stream().map(Table::name).toList();
  }
}
