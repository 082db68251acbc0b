package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key that cannot be built on the target leaves the foreign keys that reference it not issued,
 * noted with the cause: one error for one cause, and the rows all in.
 */
class FailedPrerequisitesTest {
  @Test
  void aForeignKeyToAKeyThatFailedIsNotIssuedButNoted() throws Exception {
    String src = TestPostgres.freshDatabase("prereq_src");
    // As char(2), 'a' and 'a ' are one value: the cast makes the primary key of codes fail.
    TestPostgres.execute(src, """
        CREATE TABLE codes (code text PRIMARY KEY, label varchar(10));
        CREATE TABLE uses (id int PRIMARY KEY, code text REFERENCES codes);
        INSERT INTO codes VALUES ('a', 'one'), ('a ', 'two'), ('b', 'three');
        INSERT INTO uses VALUES (1, 'a'), (2, 'b');
        """);
    String dst = TestPostgres.freshDatabase("prereq_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, """
        casts:
          - type: text
            to: char(2)
        """).withPlainTarget());
    List<String> errors = summary.phases().stream().flatMap(p -> p.errors().stream()).toList();
    assertEquals(1, errors.size(), summary::render);
    assertTrue(errors.get(0).contains("could not create unique index \"codes_pkey\""), summary::render);
    assertTrue(summary.render().contains("not issued, since public.codes codes_pkey failed: foreign keys public.uses"
        + " uses_code_fkey"), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
  }
}
