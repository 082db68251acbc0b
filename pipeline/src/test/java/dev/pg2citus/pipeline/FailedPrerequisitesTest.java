package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key that cannot be built on the target gives one error: the foreign key that references it,
 * failing in turn, and the key's comment are noted with the cause. A foreign key to a key that was
 * built is created, whatever else of its table failed. The rows are all in.
 */
class FailedPrerequisitesTest {
  @Test
  void whatNeedsAKeyThatFailedIsPutDownToItAndTheRestIsBuilt() throws Exception {
    String src = TestPostgres.freshDatabase("prereq_src");
    // As char(2), 'a' and 'a ' are one value: the cast makes the keys on those columns fail.
    TestPostgres.execute(src, """
        CREATE TABLE tags (tag text PRIMARY KEY, label varchar(10));
        COMMENT ON CONSTRAINT tags_pkey ON tags IS 'one row per tag';
        CREATE TABLE tagged (id int PRIMARY KEY, tag text REFERENCES tags);
        INSERT INTO tags VALUES ('a', 'one'), ('a ', 'two'), ('b', 'three');
        INSERT INTO tagged VALUES (1, 'a'), (2, 'b');
        CREATE TABLE codes (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE uses (id int PRIMARY KEY, code_id int REFERENCES codes);
        INSERT INTO codes VALUES (1, 'a'), (2, 'a ');
        INSERT INTO uses VALUES (1, 1), (2, 2);
        """);
    String dst = TestPostgres.freshDatabase("prereq_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, """
        casts:
          - type: text
            to: char(2)
        """).withPlainTarget());

    List<String> errors = summary.phases().stream().flatMap(p -> p.errors().stream()).toList();
    assertEquals(2, errors.size(), summary::render);
    assertTrue(errors.stream().anyMatch(e -> e.contains("could not create unique index \"tags_pkey\"")), summary::render);
    assertTrue(errors.stream().anyMatch(e -> e.contains("could not create unique index \"codes_code_key\"")),
        summary::render);
    String render = summary.render();
    assertTrue(render.contains("failed, since public.tags tags_pkey failed first: foreign keys public.tagged"
        + " tagged_tag_fkey (ERROR: there is no unique constraint matching given keys"), render);
    assertTrue(render.contains("not issued, since public.tags tags_pkey failed: comments CONSTRAINT tags_pkey ON"
        + " public.tags"), render);
    assertEquals(List.of("uses_code_id_fkey"), TestPostgres.rows(TestPostgres.connect(dst), "SELECT conname FROM"
        + " pg_constraint WHERE contype = 'f' ORDER BY 1"), "the key to codes' primary key is built");
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), render);
  }
}
