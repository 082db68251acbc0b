package dev.pg2citus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.ConfigLoader;
import dev.pg2citus.config.ConfigLocation;
import dev.pg2citus.config.DistributionRule;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.NameRef;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.plan.Placement.Kind;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The planner on real schemas: each test builds its tables in a database of the shared test server,
 * reads them with {@link CatalogReader}, applies the cast rules and plans.
 */
class DistributionPlannerTest {
  /** The Citus tutorial schema that ships with pg2citus. */
  private static final String TUTORIAL_RESOURCE = "/dev/pg2citus/embedded/hackathon-schema.sql";

  private static final TableName COMPANIES = t("companies");
  private static final TableName CAMPAIGNS = t("campaigns");
  private static final TableName ADS = t("ads");
  private static final TableName CLICKS = t("clicks");
  private static final TableName IMPRESSIONS = t("impressions");

  /** The tutorial schema, unchanged; tests only read it. */
  private static String tutorial;

  @BeforeAll
  static void createTutorialDatabase() throws Exception {
    tutorial = database(tutorialSql());
  }

  // ---- the tutorial

  @Test
  void tutorialFromOneRootRule() throws Exception {
    DistributionPlan plan = plan(tutorial, """
        distribute:
          - companies using id
        """);

    Placement companies = plan.of(COMPANIES);
    assertEquals(Kind.DISTRIBUTED, companies.kind());
    assertEquals("id", companies.column());
    assertEquals("bigint", companies.columnType());
    assertFalse(companies.addsColumn());
    assertEquals(COMPANIES, companies.colocationRoot());
    assertTrue(companies.reason().contains("companies using id"), companies.reason());
    assertTrue(companies.reason().contains("test.yaml:6"), companies.reason());

    Placement campaigns = plan.of(CAMPAIGNS);
    assertEquals(Kind.DISTRIBUTED, campaigns.kind());
    assertEquals("company_id", campaigns.column());
    assertEquals("bigint", campaigns.columnType());
    assertFalse(campaigns.addsColumn(), "campaigns has company_id already");
    assertTrue(campaigns.reason().startsWith("discovered"), campaigns.reason());

    assertAdded(plan.of(ADS), "company_id", "bigint", "campaigns", "company_id",
        "ads(campaign_id) → campaigns(id)");
    assertAdded(plan.of(CLICKS), "company_id", "bigint", "campaigns", "company_id",
        "clicks(ad_id) → ads(id)", "ads(campaign_id) → campaigns(id)");
    assertAdded(plan.of(IMPRESSIONS), "company_id", "bigint", "campaigns", "company_id",
        "impressions(ad_id) → ads(id)", "ads(campaign_id) → campaigns(id)");

    for (Placement p : plan.placements()) {
      assertEquals(COMPANIES, p.colocationRoot(), p.table() + " colocated with companies");
    }
    List<TableName> order = tables(plan);
    assertEquals(5, order.size());
    assertEquals(COMPANIES, order.get(0));
    assertTrue(order.indexOf(CAMPAIGNS) < order.indexOf(ADS), order.toString());
    assertTrue(order.indexOf(ADS) < order.indexOf(CLICKS), order.toString());
    assertTrue(order.indexOf(ADS) < order.indexOf(IMPRESSIONS), order.toString());
    assertTrue(plan.needsCitus());
    assertTrue(plan.warnings().isEmpty(), plan.warnings().toString());
    assertEquals(32, plan.shardCount());

    String rendered = plan.render();
    for (TableName table : order) {
      assertTrue(rendered.contains(table.toString()), table + " in:\n" + rendered);
    }
    assertTrue(rendered.contains("5 distributed in 1 colocation group"), rendered);
    assertTrue(rendered.contains("colocation group of public.companies (bigint, 32 shards)"), rendered);
    assertTrue(rendered.contains("backfill: " + plan.of(CLICKS).backfill()), rendered);
    assertTrue(plan.of(CLICKS).backfill().toString().contains("campaigns.company_id"),
        plan.of(CLICKS).backfill().toString());
  }

  @Test
  void explicitRulesGiveTheSamePlanAsDiscovery() throws Exception {
    DistributionPlan discovered = plan(tutorial, """
        distribute:
          - companies using id
        """);
    DistributionPlan explicit = plan(tutorial, """
        distribute:
          - companies using id
          - campaigns using company_id
          - ads using company_id from campaigns
          - clicks using company_id from ads, campaigns
          - table: impressions
            using: company_id
            from: [ads, campaigns]
        """);

    assertSamePlacements(discovered, explicit);
    assertEquals(tables(discovered), tables(explicit));
    assertTrue(explicit.of(CLICKS).reason().contains("clicks using company_id from ads, campaigns"),
        explicit.of(CLICKS).reason());
    assertTrue(explicit.of(CLICKS).reason().contains("test.yaml:9"), explicit.of(CLICKS).reason());
  }

  @Test
  void partialRulesGiveTheSamePlanAsDiscovery() throws Exception {
    // campaigns has a rule but is not the root: the column added below it keeps its name.
    DistributionPlan discovered = plan(tutorial, """
        distribute:
          - companies using id
        """);
    DistributionPlan partial = plan(tutorial, """
        distribute:
          - companies using id
          - campaigns using company_id
        """);
    assertSamePlacements(discovered, partial);
  }

  // ---- errors in 'from' paths

  @Test
  void hopWithoutForeignKeyIsAnError() throws Exception {
    ConfigException e = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - clicks using company_id from campaigns
        """);
    assertMentions(e, "test.yaml:7", "distribute[1]", "not joined by foreign keys",
        "public.clicks has no foreign key to public.campaigns", "clicks(ad_id) → ads(id)");
    assertEquals(new ConfigLocation("test.yaml", 7, "distribute[1]"), e.location());
  }

  @Test
  void pathEndingAtATableWithoutTheColumn() throws Exception {
    ConfigException e = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - clicks using company_id from ads
        """);
    assertMentions(e, "test.yaml:7", "distribute[1]", "ends at public.ads, which has no column company_id");
  }

  @Test
  void ruleNamingAMissingTable() throws Exception {
    ConfigException table = planFails(ConfigException.class, tutorial, """
        distribute:
          - compnies using id
        """);
    assertMentions(table, "test.yaml:6", "distribute[0]", "table compnies does not exist in the source");
    ConfigException hop = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - ads using company_id from campains
        """);
    assertMentions(hop, "test.yaml:7", "table campains does not exist");
    ConfigException schema = planFails(ConfigException.class, tutorial, """
        distribute:
          - sales.companies using id
        """);
    assertMentions(schema, "test.yaml:6", "table sales.companies does not exist");
  }

  @Test
  void ruleNamingAMissingColumnSuggestsAPath() throws Exception {
    ConfigException oneHop = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - ads using company_id
        """);
    assertMentions(oneHop, "test.yaml:7", "table public.ads has no column company_id",
        "write 'ads using company_id from campaigns'");
    ConfigException twoHops = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - clicks using company_id
        """);
    assertMentions(twoHops, "write 'clicks using company_id from ads, campaigns'");
    ConfigException noPath = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using tenant_id
        """);
    assertMentions(noPath, "test.yaml:6", "table public.companies has no column tenant_id");
    assertFalse(noPath.getMessage().contains(" from "), noPath.getMessage());
  }

  @Test
  void otherRuleMistakes() throws Exception {
    ConfigException needless = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - campaigns using company_id from companies
        """);
    assertMentions(needless, "test.yaml:7", "already has column company_id", "without 'from'");
    ConfigException twice = planFails(ConfigException.class, tutorial, """
        distribute:
          - companies using id
          - Companies using ID
        """);
    assertMentions(twice, "test.yaml:7", "a second rule for public.companies", "test.yaml:6");
  }

  // ---- cycles

  @Test
  void selfReferencesArePlacedOnce() throws Exception {
    String db = database(tutorialSql() + """
        ALTER TABLE companies ADD parent_company_id bigint REFERENCES companies (id);
        ALTER TABLE campaigns ADD parent_id bigint REFERENCES campaigns (id);
        CREATE TABLE departments (id bigserial PRIMARY KEY, company_id bigint REFERENCES companies (id));
        CREATE TABLE employees (
            id bigserial PRIMARY KEY,
            department_id bigint REFERENCES departments (id),
            manager_id bigint REFERENCES employees (id));
        """);
    MigrationConfig config = config(db, """
        distribute:
          - companies using id
        """);
    DistributionPlan plan = planWithin(catalog(db, config), config);

    assertEachTableOnce(plan, 7);
    assertEquals("id", plan.of(COMPANIES).column());
    assertEquals("company_id", plan.of(CAMPAIGNS).column());
    assertFalse(plan.of(CAMPAIGNS).addsColumn());
    assertAdded(plan.of(ADS), "company_id", "bigint", "campaigns", "company_id",
        "ads(campaign_id) → campaigns(id)");
    assertAdded(plan.of(t("employees")), "company_id", "bigint", "departments", "company_id",
        "employees(department_id) → departments(id)");
    plan.placements().forEach(p -> assertEquals(COMPANIES, p.colocationRoot(), p.table().toString()));
    assertEquals(COMPANIES, tables(plan).get(0));
  }

  @Test
  void twoTableCycleIsPlacedOnce() throws Exception {
    String db = database(tutorialSql() + """
        CREATE TABLE budgets (
            id bigserial PRIMARY KEY,
            campaign_id bigint REFERENCES campaigns (id),
            current_revision_id bigint);
        CREATE TABLE budget_revisions (id bigserial PRIMARY KEY, budget_id bigint REFERENCES budgets (id));
        ALTER TABLE budgets ADD FOREIGN KEY (current_revision_id) REFERENCES budget_revisions (id);
        -- a cycle that no distributed table reaches stays local
        CREATE TABLE left_side (id int PRIMARY KEY, right_id int);
        CREATE TABLE right_side (id int PRIMARY KEY, left_id int REFERENCES left_side (id));
        ALTER TABLE left_side ADD FOREIGN KEY (right_id) REFERENCES right_side (id);
        """);
    MigrationConfig config = config(db, """
        distribute:
          - companies using id
        """);
    DistributionPlan plan = planWithin(catalog(db, config), config);

    assertEachTableOnce(plan, 9);
    assertAdded(plan.of(t("budgets")), "company_id", "bigint", "campaigns", "company_id",
        "budgets(campaign_id) → campaigns(id)");
    assertAdded(plan.of(t("budget_revisions")), "company_id", "bigint", "campaigns", "company_id",
        "budget_revisions(budget_id) → budgets(id)", "budgets(campaign_id) → campaigns(id)");
    assertEquals(COMPANIES, plan.of(t("budget_revisions")).colocationRoot());
    assertEquals(Kind.LOCAL, plan.of(t("left_side")).kind());
    assertEquals(Kind.LOCAL, plan.of(t("right_side")).kind());
  }

  @Test
  void cycleOfDistributedRootsTerminates() throws Exception {
    String db = database("""
        CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);
        CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);
        """);
    MigrationConfig config = config(db, """
        distribute:
          - a using id
        """);
    DistributionPlan plan = planWithin(catalog(db, config), config);
    assertEachTableOnce(plan, 2);
    assertEquals("id", plan.of(t("a")).column());
    assertEquals("a_id", plan.of(t("b")).column());
    assertFalse(plan.of(t("b")).addsColumn());
    assertEquals(plan.of(t("a")).colocationRoot(), plan.of(t("b")).colocationRoot());
  }

  @Test
  void ruleTableStaysTheRootOfItsGroupInACycle() throws Exception {
    // a and b reference each other; the rule makes a the root, and a cycle has no foreign-key
    // order to override that ("cycles keep input order").
    String db = database("""
        CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);
        CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);
        """);
    DistributionPlan plan = plan(db, """
        distribute:
          - a using id
        """);
    assertEquals(t("a"), plan.of(t("a")).colocationRoot(), plan.render());
    assertEquals(t("a"), plan.of(t("b")).colocationRoot(), plan.render());
    assertEquals(List.of(t("a"), t("b")), tables(plan));
  }

  // ---- several paths

  @Test
  void severalPathsAreAnErrorUntilARulePicksOne() throws Exception {
    String db = database(tutorialSql() + """
        CREATE TABLE ad_stats (
            id bigserial PRIMARY KEY,
            ad_id bigint REFERENCES ads (id),
            campaign_id bigint REFERENCES campaigns (id),
            views bigint);
        """);
    PlanException e = planFails(PlanException.class, db, """
        distribute:
          - companies using id
        """);
    assertMentions(e, "public.ad_stats", "several",
        "ad_stats using company_id from campaigns", "ad_stats(campaign_id) → campaigns(id)",
        "ad_stats using company_id from ads, campaigns", "ad_stats(ad_id) → ads(id)");

    DistributionPlan plan = plan(db, """
        distribute:
          - companies using id
          - ad_stats using company_id from ads, campaigns
        """);
    assertAdded(plan.of(t("ad_stats")), "company_id", "bigint", "campaigns", "company_id",
        "ad_stats(ad_id) → ads(id)", "ads(campaign_id) → campaigns(id)");
    assertEquals(COMPANIES, plan.of(t("ad_stats")).colocationRoot());

    DistributionPlan direct = plan(db, """
        distribute:
          - companies using id
          - ad_stats using company_id from campaigns
        """);
    assertAdded(direct.of(t("ad_stats")), "company_id", "bigint", "campaigns", "company_id",
        "ad_stats(campaign_id) → campaigns(id)");
  }

  // ---- keys other than the primary key

  @Test
  void foreignKeyToAUniqueConstraint() throws Exception {
    String db = database("""
        CREATE TABLE companies (id bigserial PRIMARY KEY, name text);
        CREATE TABLE campaigns (
            id bigserial PRIMARY KEY,
            company_id bigint REFERENCES companies (id),
            code text NOT NULL UNIQUE);
        CREATE TABLE ads (
            id bigserial PRIMARY KEY,
            campaign_code text REFERENCES campaigns (code),
            name text);
        """);
    DistributionPlan plan = plan(db, """
        distribute:
          - companies using id
        """);
    assertEquals("company_id", plan.of(CAMPAIGNS).column());
    assertAdded(plan.of(ADS), "company_id", "bigint", "campaigns", "company_id",
        "ads(campaign_code) → campaigns(code)");
    assertEquals(COMPANIES, plan.of(ADS).colocationRoot());

    DistributionPlan explicit = plan(db, """
        distribute:
          - companies using id
          - ads using company_id from campaigns
        """);
    assertEquals(plan.of(ADS).backfill(), explicit.of(ADS).backfill());
  }

  @Test
  void columnAddedBelowTheRootIsNotNamedAfterItsSelfReference() throws Exception {
    // users reach accounts by code, not by id, so their column is added; it takes the name other
    // tables give accounts.id (orders.account_id), not the name of accounts' own self reference.
    String db = database("""
        CREATE TABLE accounts (
            id bigserial PRIMARY KEY,
            parent_id bigint REFERENCES accounts (id),
            code text NOT NULL UNIQUE);
        CREATE TABLE orders (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts (id));
        CREATE TABLE users (user_id bigserial PRIMARY KEY, account_code text REFERENCES accounts (code));
        """);
    DistributionPlan plan = plan(db, """
        distribute:
          - accounts using id
        """);
    assertEquals("account_id", plan.of(t("orders")).column());
    Placement users = plan.of(t("users"));
    assertAdded(users, "account_id", "bigint", "accounts", "id", "users(account_code) → accounts(code)");
    assertEquals(t("accounts"), users.colocationRoot());
  }

  @Test
  void everyProblemOfThePlanIsReportedInOneError() throws Exception {
    String db = database(tutorialSql() + """
        CREATE TABLE ad_stats (
            id bigserial PRIMARY KEY,
            ad_id bigint REFERENCES ads (id),
            campaign_id bigint REFERENCES campaigns (id));
        CREATE TABLE countries (code text PRIMARY KEY);
        ALTER TABLE companies ADD country_code text REFERENCES countries (code);
        ALTER TABLE campaigns ADD UNIQUE (company_id, id);
        CREATE TABLE notes (company_id bigint, campaign_id bigint, body text,
            FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON UPDATE CASCADE);
        """);
    PlanException e = planFails(PlanException.class, db, """
        distribute:
          - companies using id
        """);
    assertEquals(3, e.problems().size(), e.getMessage());
    assertMentions(e, "3 problems", "1. ", "2. ", "3. ",
        "public.ad_stats reaches distributed tables along several foreign-key paths",
        "add 'countries as reference table'",
        "notes_company_id_campaign_id_fkey", "ON UPDATE CASCADE");
  }

  // ---- lookup tables

  @Test
  void lookupTablesNeedARuleOrAutoReference() throws Exception {
    String db = database(tutorialSql() + """
        CREATE TABLE continents (id int PRIMARY KEY, name text);
        CREATE TABLE countries (code text PRIMARY KEY, continent_id int REFERENCES continents (id));
        ALTER TABLE companies ADD country_code text REFERENCES countries (code);
        CREATE TABLE settings (key text PRIMARY KEY, value text);
        """);
    PlanException missing = planFails(PlanException.class, db, """
        distribute:
          - companies using id
        """);
    assertMentions(missing, "public.countries", "companies(country_code) → countries(code)",
        "add 'countries as reference table'", "citus.auto-reference-tables: true",
        "2 tables", "public.continents", "add 'continents as reference table'");
    assertEquals(1, missing.getMessage().split("'countries as reference table'", -1).length - 1,
        "each table once, and the ones it references in the same run: " + missing.getMessage());

    DistributionPlan auto = plan(db, """
        distribute:
          - companies using id
        citus:
          auto-reference-tables: true
        """);
    assertEquals(Kind.REFERENCE, auto.of(t("countries")).kind());
    assertEquals(Kind.REFERENCE, auto.of(t("continents")).kind(), "referenced by a reference table");
    assertNull(auto.of(t("countries")).column());
    assertEquals(Kind.LOCAL, auto.of(t("settings")).kind());
    assertEquals(Kind.DISTRIBUTED, auto.of(COMPANIES).kind());
    List<TableName> order = tables(auto);
    assertEquals(List.of(t("continents"), t("countries"), COMPANIES), order.subList(0, 3),
        "reference tables first, referenced ones before the others, then the root");
    assertEquals(t("settings"), order.get(order.size() - 1));
    assertEachTableOnce(auto, 8);
    String rendered = auto.render();
    assertTrue(rendered.contains("reference tables"), rendered);
    assertTrue(rendered.contains("local tables"), rendered);

    PlanException chained = planFails(PlanException.class, db, """
        distribute:
          - companies using id
          - countries as reference table
        """);
    assertMentions(chained, "public.continents", "add 'continents as reference table'");
    assertFalse(chained.getMessage().contains("'countries as reference table'"), chained.getMessage());

    DistributionPlan ruled = plan(db, """
        distribute:
          - companies using id
          - countries as reference table
          - table: continents
            reference: true
        """);
    assertEquals(Kind.REFERENCE, ruled.of(t("continents")).kind());
    assertTrue(ruled.of(t("continents")).reason().contains("test.yaml:8"), ruled.of(t("continents")).reason());
  }

  @Test
  void referenceTableMustNotReferenceADistributedTable() throws Exception {
    String db = database(tutorialSql() + """
        CREATE TABLE currencies (code text PRIMARY KEY, issuer_id bigint REFERENCES companies (id));
        """);
    PlanException e = planFails(PlanException.class, db, """
        distribute:
          - companies using id
          - currencies as reference table
        """);
    assertMentions(e, "reference table public.currencies references distributed table public.companies",
        "currencies(issuer_id) → companies(id)");
  }

  // ---- names that need quotes

  private static final String QUOTED_SCHEMA = """
      CREATE SCHEMA "Sales Dept";
      CREATE TABLE "Sales Dept"."Customer" ("Customer Id" bigint PRIMARY KEY, "Name" text);
      CREATE TABLE "Sales Dept"."Order ""Lines\"\"\" (
          "Line Id" bigserial PRIMARY KEY,
          "Customer Id" bigint REFERENCES "Sales Dept"."Customer" ("Customer Id"),
          qty int);
      CREATE TABLE "Sales Dept"."Line Notes" (
          "Note Id" bigserial PRIMARY KEY,
          "Line Id" bigint REFERENCES "Sales Dept"."Order ""Lines\"\"\" ("Line Id"),
          body text);
      """;

  @Test
  void namesWithCapitalsSpacesAndQuotes() throws Exception {
    String db = database(QUOTED_SCHEMA);
    TableName customer = new TableName("Sales Dept", "Customer");
    TableName lines = new TableName("Sales Dept", "Order \"Lines\"");
    TableName notes = new TableName("Sales Dept", "Line Notes");

    DistributionPlan plan = plan(db, """
        distribute:
          - '"Sales Dept"."Customer" using "Customer Id"'
        """);
    assertEquals("Customer Id", plan.of(customer).column());
    assertEquals(Kind.DISTRIBUTED, plan.of(lines).kind());
    assertEquals("Customer Id", plan.of(lines).column());
    assertFalse(plan.of(lines).addsColumn());
    assertAdded(plan.of(notes), "Customer Id", "bigint", "Order \"Lines\"", "Customer Id",
        "\"Line Notes\"(\"Line Id\") → \"Order \"\"Lines\"\"\"(\"Line Id\")");
    assertEquals(customer, plan.of(notes).colocationRoot());
    assertTrue(plan.render().contains("\"Sales Dept\".\"Order \"\"Lines\"\"\""), plan.render());

    DistributionPlan explicit = plan(db, """
        distribute:
          - '"Sales Dept"."Customer" using "Customer Id"'
          - '"Line Notes" using "Customer Id" from "Sales Dept"."Order ""Lines\"\"\"'
        """);
    assertEquals(plan.of(notes).backfill(), explicit.of(notes).backfill());

    ConfigException unquoted = planFails(ConfigException.class, db, """
        distribute:
          - Customer using "Customer Id"
        """);
    assertMentions(unquoted, "test.yaml:6", "table customer does not exist");
  }

  @Test
  void suggestionsForQuotedNamesCanBePastedBack() throws Exception {
    String db = database(QUOTED_SCHEMA);
    ConfigException e = planFails(ConfigException.class, db, """
        distribute:
          - '"Sales Dept"."Customer" using "Customer Id"'
          - '"Line Notes" using "Customer Id"'
        """);
    Matcher m = Pattern.compile("write '(.*)'$").matcher(e.getMessage());
    assertTrue(m.find(), e.getMessage());
    DistributionRule suggested = DistributionRule.parse(m.group(1), ConfigLocation.commandLine("test"));
    assertEquals("Line Notes", suggested.table().name(), e.getMessage());
    assertEquals("Customer Id", suggested.column(), e.getMessage());
    assertEquals(List.of("Order \"Lines\""), suggested.from().stream().map(NameRef::name).toList(),
        e.getMessage());
  }

  // ---- column types

  @Test
  void typesThatDifferOnlyInTheirModifiersAreColocated() throws Exception {
    String db = database("""
        CREATE TABLE customers (customer_id varchar(5) PRIMARY KEY);
        CREATE TABLE orders (id int PRIMARY KEY, customer_id varchar(10) REFERENCES customers);
        """);
    DistributionPlan plan = plan(db, """
        distribute:
          - customers using customer_id
        """);
    TableName orders = new TableName("public", "orders");
    assertEquals("character varying(10)", plan.of(orders).columnType());
    assertEquals(new TableName("public", "customers"), plan.of(orders).colocationRoot());
  }

  @Test
  void mixedColumnTypesNeedACastRule() throws Exception {
    String db = database("""
        CREATE TABLE companies (id bigint PRIMARY KEY, name text);
        CREATE TABLE campaigns (
            id serial PRIMARY KEY,
            company_id integer NOT NULL REFERENCES companies (id),
            budget integer);
        """);
    PlanException e = planFails(PlanException.class, db, """
        distribute:
          - companies using id
        """);
    assertMentions(e, "public.companies", "mixes distribution column types", "companies.id bigint",
        "campaigns.company_id integer", "cast rule");

    DistributionPlan byType = plan(db, """
        casts:
          - type: integer
            to: bigint
        distribute:
          - companies using id
        """);
    assertEquals("bigint", byType.of(CAMPAIGNS).columnType());
    assertEquals(COMPANIES, byType.of(CAMPAIGNS).colocationRoot());

    DistributionPlan byColumn = plan(db, """
        casts:
          - column: campaigns.company_id
            to: bigint
        distribute:
          - companies using id
        """);
    assertEquals("bigint", byColumn.of(CAMPAIGNS).columnType());

    ConfigException unknownType = planFails(ConfigException.class, db, """
        casts:
          - type: integr
            to: bigint
        """);
    assertMentions(unknownType, "test.yaml:6", "casts[0]", "type 'integr' does not exist");
  }

  // ---- foreign key actions Citus refuses

  @Test
  void refusedKeyActionsFailThePlanInOneGoOrAreDropped() throws Exception {
    String db = database(tutorialSql() + """
        ALTER TABLE campaigns DROP CONSTRAINT campaigns_company_id_fkey,
          ADD CONSTRAINT campaigns_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id)
            ON UPDATE CASCADE ON DELETE CASCADE;
        ALTER TABLE ads DROP CONSTRAINT ads_campaign_id_fkey,
          ADD CONSTRAINT ads_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL;
        """);
    PlanException refused = planFails(PlanException.class, db, """
        distribute:
          - companies using id
        """);
    assertMentions(refused, "2 foreign keys", "campaigns_company_id_fkey", "ON UPDATE CASCADE", "ads_campaign_id_fkey",
        "ON DELETE SET NULL", "citus.refused-key-actions: drop");

    String drop = """
        distribute:
          - companies using id
        citus:
          refused-key-actions: drop
        """;
    MigrationConfig config = config(db, drop);
    Catalog catalog = catalog(db, config);
    DistributionPlan dropped = DistributionPlanner.plan(catalog, config);
    TargetSchema target = new TargetSchema(catalog, dropped);
    ForeignKey campaigns = catalog.table(CAMPAIGNS).orElseThrow().foreignKeys().get(0);
    assertEquals("FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE",
        target.foreignKeyDefinition(campaigns), "the refused action is left out, the others kept");
    assertTrue(dropped.warnings().stream().anyMatch(w -> w.contains("campaigns_company_id_fkey")
        && w.contains("citus.refused-key-actions: drop")), dropped.warnings().toString());

    DistributionPlan plain = DistributionPlanner.plan(catalog, config(db, drop).withPlainTarget());
    assertEquals("FOREIGN KEY (company_id) REFERENCES public.companies(id) ON UPDATE CASCADE ON DELETE CASCADE",
        new TargetSchema(catalog, plain).foreignKeyDefinition(campaigns), "a plain target keeps every action");
  }

  // ---- table filters

  @Test
  void excludedTablesAreLeftOutOfThePlan() throws Exception {
    DistributionPlan plan = plan(tutorial, """
        tables:
          exclude:
            - impressions
        distribute:
          - companies using id
        """);
    assertTrue(plan.placement(IMPRESSIONS).isEmpty(), plan.render());
    assertEquals(Set.of(COMPANIES, CAMPAIGNS, ADS, CLICKS), new HashSet<>(tables(plan)));
    assertFalse(plan.render().contains("impressions"), plan.render());

    DistributionPlan byRegex = plan(tutorial, """
        tables:
          exclude:
            - name-matches: ^(clicks|impressions)$
        distribute:
          - companies using id
        """);
    assertEquals(Set.of(COMPANIES, CAMPAIGNS, ADS), new HashSet<>(tables(byRegex)));

    DistributionPlan included = plan(tutorial, """
        tables:
          include:
            - public.companies
            - campaigns
        distribute:
          - companies using id
        """);
    assertEquals(List.of(COMPANIES, CAMPAIGNS), tables(included));

    ConfigException ruleForExcluded = planFails(ConfigException.class, tutorial, """
        tables:
          exclude: [clicks]
        distribute:
          - companies using id
          - clicks using company_id from ads, campaigns
        """);
    assertMentions(ruleForExcluded, "test.yaml:9", "table clicks does not exist", "table filters");
  }

  // ---- helpers

  private static TableName t(String name) {
    return new TableName("public", name);
  }

  private static String tutorialSql() throws IOException {
    try (InputStream in = DistributionPlannerTest.class.getResourceAsStream(TUTORIAL_RESOURCE)) {
      assertNotNull(in, TUTORIAL_RESOURCE + " on the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
    }
  }

  /** A fresh database with {@code sql} run in it. */
  private static String database(String sql) throws SQLException {
    String db = TestPostgres.freshDatabase("planner");
    TestPostgres.execute(db, sql);
    return db;
  }

  /** A configuration whose first four lines name the databases; {@code body} starts at line 5. */
  private static MigrationConfig config(String db, String body) {
    String yaml = "source:\n  url: " + TestPostgres.jdbcUrl(db) + "\n"
        + "target:\n  url: jdbc:postgresql://localhost:5432/target\n" + body;
    Map<String, String> environment = Map.of();
    return new ConfigLoader(environment::get).parse(yaml, "test.yaml", ConfigLoader.Overrides.none());
  }

  /** Reads the selected tables of {@code db} and applies the cast rules, as the schema tool does. */
  private static Catalog catalog(String db, MigrationConfig config) throws SQLException {
    try (Connection c = TestPostgres.connect(db)) {
      CatalogReader reader = new CatalogReader(c);
      Catalog catalog = reader.read(config::selects);
      return CastRules.apply(catalog, config.casts(), type -> {
        try {
          return reader.canonicalTypeName(type);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  private static DistributionPlan plan(String db, String body) throws SQLException {
    MigrationConfig config = config(db, body);
    return DistributionPlanner.plan(catalog(db, config), config);
  }

  /** Plans with a time limit, for schemas with cycles. */
  private static DistributionPlan planWithin(Catalog catalog, MigrationConfig config) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> DistributionPlanner.plan(catalog, config));
  }

  private static <E extends RuntimeException> E planFails(Class<E> type, String db, String body) {
    return assertThrows(type, () -> plan(db, body));
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
  }

  private static List<TableName> tables(DistributionPlan plan) {
    return plan.placements().stream().map(Placement::table).toList();
  }

  /** A distributed placement whose column is added and filled along {@code hops}. */
  private static void assertAdded(Placement p, String column, String type, String valueTable,
      String valueColumn, String... hops) {
    assertEquals(Kind.DISTRIBUTED, p.kind(), p.toString());
    assertEquals(column, p.column(), p.toString());
    assertEquals(type, p.columnType(), p.toString());
    assertTrue(p.addsColumn(), p + " adds its column");
    assertEquals(List.of(hops), p.backfill().hops().stream().map(ForeignKey::describe).toList(), p.toString());
    assertEquals(valueTable, p.backfill().valueTable().name(), p.toString());
    assertEquals(valueColumn, p.backfill().valueColumn(), p.toString());
  }

  private static void assertSamePlacements(DistributionPlan expected, DistributionPlan actual) {
    assertEquals(new HashSet<>(tables(expected)), new HashSet<>(tables(actual)));
    for (Placement e : expected.placements()) {
      Placement a = actual.of(e.table());
      assertEquals(e.kind(), a.kind(), e.table().toString());
      assertEquals(e.column(), a.column(), e.table().toString());
      assertEquals(e.columnType(), a.columnType(), e.table().toString());
      assertEquals(e.backfill(), a.backfill(), e.table().toString());
      assertEquals(e.colocationRoot(), a.colocationRoot(), e.table().toString());
    }
  }

  /** Every table of the catalog is in the plan exactly once. */
  private static void assertEachTableOnce(DistributionPlan plan, int tableCount) {
    List<TableName> names = tables(plan);
    assertEquals(tableCount, names.size(), names.toString());
    assertEquals(tableCount, new HashSet<>(names).size(), names.toString());
  }
}
