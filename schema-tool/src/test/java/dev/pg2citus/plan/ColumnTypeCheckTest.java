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

    SchemaTool hashable = SchemaTool.load(TestConfigs.onTestPostgres(db, db, """
        distribute:
          - by_jsonb using k
          - by_mood using k
          - by_array using k
        """));
    assertEquals(3, hashable.target().plan().placements().stream().filter(Placement::isDistributed).count());
    SchemaTool.load(TestConfigs.onTestPostgres(db, db, rules).withPlainTarget()); // a plain target hashes nothing
  }
}
