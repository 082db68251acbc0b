package dev.pg2citus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/** Distribution columns of types Citus cannot hash are refused before anything is written, each type once. */
class ColumnTypeCheckTest {
  @Test
  void typesWithoutAHashFunctionAreRefusedTogether() throws Exception {
    String db = TestPostgres.freshDatabase("coltypes");
    TestPostgres.execute(db, """
        CREATE DOMAIN doc AS json;
        CREATE TYPE mood AS ENUM ('sad', 'ok');
        CREATE TABLE by_json (k json, v int);
        CREATE TABLE by_point (k point, v int);
        CREATE TABLE by_doc (k doc, v int);
        CREATE TABLE by_jsonb (k jsonb, v int);
        CREATE TABLE by_mood (k mood, v int);
        CREATE TABLE by_array (k int[], v int);
        CREATE DOMAIN code AS varchar(8);
        CREATE TABLE by_varchar (k varchar(5) PRIMARY KEY);
        CREATE TABLE by_cidr (k cidr PRIMARY KEY);
        CREATE TABLE by_code (k code PRIMARY KEY);
        CREATE TABLE by_money (k money PRIMARY KEY);
        CREATE TABLE below_money (id int PRIMARY KEY, k money REFERENCES by_money);
        CREATE TABLE further_below (id int PRIMARY KEY, below_id int REFERENCES below_money);
        """);
    String rules = """
        distribute:
          - by_json using k
          - by_point using k
          - by_doc using k
        """;
    PlanException refused = assertThrows(PlanException.class,
        () -> SchemaTool.load(TestConfigs.onTestPostgres(db, db, rules)));
    assertEquals(3, refused.problems().size(), refused.getMessage());
    assertTrue(refused.getMessage().contains("distribution column public.by_json.k has type json, which has no hash"
        + " function"), refused.getMessage());
    assertTrue(refused.getMessage().contains("public.by_point.k has type point"), refused.getMessage());
    assertTrue(refused.getMessage().contains("public.by_doc.k has type public.doc"), refused.getMessage());

    // The type's default hash class as PostgreSQL finds it: varchar hashes with text's, cidr with
    // inet's, a domain with its base type's.
    SchemaTool hashable = SchemaTool.load(TestConfigs.onTestPostgres(db, db, """
        distribute:
          - by_jsonb using k
          - by_mood using k
          - by_array using k
          - by_varchar using k
          - by_cidr using k
          - by_code using k
        """));
    assertEquals(6, hashable.target().plan().placements().stream().filter(Placement::isDistributed).count());
    SchemaTool.load(TestConfigs.onTestPostgres(db, db, rules).withPlainTarget()); // a plain target hashes nothing

    PlanException added = assertThrows(PlanException.class,
        () -> SchemaTool.load(TestConfigs.onTestPostgres(db, db, "distribute: [by_money using k]\n")));
    assertEquals(1, added.problems().size(), added.getMessage());
    assertTrue(added.getMessage().contains("public.further_below.k (added by pg2citus, from public.below_money.k)")
        && added.getMessage().contains("public.below_money.k, ") && added.getMessage().contains(" has type money"),
        added.getMessage());
  }
}
