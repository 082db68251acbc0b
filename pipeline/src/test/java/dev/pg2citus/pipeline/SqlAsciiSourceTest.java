package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A legacy SQL_ASCII source holding LATIN1 bytes: the tables whose encoding is named are converted
 * to UTF-8 exactly; in the others each row that is not UTF-8 is rejected with its bytes and why, the
 * rest loading (or, with {@code on-error: stop}, the run stops saying what to do).
 */
class SqlAsciiSourceTest {
  private static String source;

  @BeforeAll
  static void sqlAsciiSource() throws Exception {
    source = TestPostgres.freshDatabase("ascii_src");
    // Made again under its fresh name with the encoding a legacy database has.
    TestPostgres.execute("postgres", "DROP DATABASE " + source);
    TestPostgres.execute("postgres", "CREATE DATABASE " + source
        + " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    // latin1('é') is the byte E9; 'ü' sent by a UTF-8 client is stored as its two UTF-8 bytes.
    TestPostgres.execute(source, """
        CREATE FUNCTION latin1(t text) RETURNS text LANGUAGE sql
          AS $$ SELECT convert_from(convert(convert_to(t, 'SQL_ASCII'), 'UTF8', 'LATIN1'), 'SQL_ASCII') $$;
        CREATE TABLE people (id int PRIMARY KEY, name text, city varchar(20));
        INSERT INTO people VALUES (1, latin1('José'), latin1('Montréal')), (2, 'Ann', 'Oslo');
        CREATE TABLE notes (id int PRIMARY KEY, note text);
        INSERT INTO notes VALUES (1, 'plain'), (2, latin1('déjà vu')), (3, 'über'), (4, latin1('naïve'));
        DROP FUNCTION latin1;
        """);
  }

  @Test
  void namedEncodingsAreConvertedAndOtherBadRowsRejectedWithTheirBytes() throws Exception {
    String dst = TestPostgres.freshDatabase("ascii_dst");
    Path rejects = Migrations.rejectsDir();
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(source, dst, """
        load:
          on-error: reject
          encodings:
            - { table: people, encoding: latin1 }
        """).withPlainTarget(), false, rejects);
    assertEquals(MigrationSummary.Outcome.ROWS_REJECTED, summary.outcome(), summary::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertEquals(List.of("1 José Montréal", "2 Ann Oslo"),
          TestPostgres.rows(c, "SELECT id || ' ' || name || ' ' || city FROM people ORDER BY id"));
      assertEquals(List.of("1 plain", "3 über"), TestPostgres.rows(c, "SELECT id || ' ' || note FROM notes ORDER BY id"));
    }
    assertEquals(List.of("2\td\\351j\\340 vu", "4\tna\\357ve"), Files.readAllLines(rejects.resolve("public.notes.dat")),
        "each rejected row with its bytes, as COPY's octal escapes");
    String log = Files.readString(rejects.resolve("public.notes.log"));
    assertTrue(log.contains("byte 0xE9 at offset 3 of the row is not UTF-8") && log.contains("load.encodings"), log);
  }

  @Test
  void withOnErrorStopABadRowStopsTheRunSayingWhatToDo() throws Exception {
    String dst = TestPostgres.freshDatabase("ascii_stop");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(source, dst, "").withPlainTarget());
    String errors = String.join("\n", summary.phases().stream().flatMap(p -> p.errors().stream()).toList());
    assertTrue(errors.contains("is not UTF-8: the source database is SQL_ASCII")
        && errors.contains("load.encodings") && errors.contains("load.on-error: reject"), summary::render);
  }

  @Test
  void anEncodingForASourceThatIsNotSqlAsciiIsRefused() throws Exception {
    String utf8 = TestPostgres.freshDatabase("utf8_src");
    TestPostgres.execute(utf8, "CREATE TABLE people (id int PRIMARY KEY, name text)");
    ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(TestConfigs.onTestPostgres(
        utf8, TestPostgres.freshDatabase("utf8_dst"), "load:\n  encodings: [ { column: people.name, encoding: LATIN1 } ]\n")
        .withPlainTarget()));
    assertTrue(refused.getMessage().contains("the source database's encoding is UTF8"), refused.getMessage());
  }
}
