package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cast rules with pgloader's {@code using} transforms: applied as the source is read, and verified so. */
class CastTransformsTest {
  @Test
  void transformsApplyToTheRowsAndChecksumsAgree() throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("using_src");
    TestPostgres.execute(src, """
        CREATE TABLE events (id int PRIMARY KEY, note text, tag varchar(10), created bigint NOT NULL, flag smallint);
        INSERT INTO events VALUES (1, '', 'a  ', 0, 1), (2, 'kept', 'b', 86400, 0), (3, NULL, NULL, 1700000000, 2);
        """);
    String dst = TestPostgres.freshDatabase("using_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        casts:
          - column: events.note
            using: empty-string-to-null
          - column: events.tag
            using: right-trim
          - column: events.created
            to: timestamp with time zone
            using: unix-timestamp-to-timestamptz
          - column: events.flag
            to: boolean
            using: tinyint-to-boolean
        load:
          verify: checksums
        """).withPlainTarget();
    MigrationSummary summary = Migrations.run(config);
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.tables().stream().allMatch(t -> t.checksums() == MigrationSummary.Check.MATCH), summary::render);
    try (Connection c = TestPostgres.connect(dst)) {
      assertEquals(List.of(
              "1 <null> a 1970-01-01 00:00:00 true",
              "2 kept b 1970-01-02 00:00:00 false",
              "3 <null> <null> 2023-11-14 22:13:20 true"),
          TestPostgres.rows(c, "SELECT id || ' ' || coalesce(note, '<null>') || ' ' || coalesce(tag, '<null>')"
              + " || ' ' || to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' ' || flag"
              + " FROM events ORDER BY id"));
    }
  }

  @Test
  void checksumsCompareACastColumnAsTheTargetTypeReadsIt() throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("castsum_src");
    TestPostgres.execute(src, """
        CREATE TABLE readings (id int PRIMARY KEY, taken timestamp NOT NULL, value numeric(6, 2), code char(4));
        INSERT INTO readings VALUES (1, '2024-02-29 12:00:00', 1.5, 'ab'), (2, '2024-03-01 00:00:01', NULL, NULL);
        """);
    String dst = TestPostgres.freshDatabase("castsum_dst");
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, """
        casts:
          - column: readings.taken
            to: timestamp with time zone
          - type: numeric
            drop-typmod: true
          - column: readings.code
            to: text
        load:
          verify: checksums
        """).withPlainTarget());
    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.tables().stream().allMatch(t -> t.checksums() == MigrationSummary.Check.MATCH), summary::render);
  }
}
