package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A database or role may set how values print and parse (some applications set IntervalStyle or
 * DateStyle for their database); none of it may change a value on its way: pg2citus' sessions pin the
 * formats, so intervals, dates, timestamps, floats, bytea and money arrive as the source holds them,
 * and checksum verification compares them alike.
 */
class ValueFormatsTest {
  /** Every setting that changes how a value is written as text or read back, each away from its default. */
  private static final List<String> SOURCE_SETTINGS = List.of("IntervalStyle = 'sql_standard'",
      "DateStyle = 'SQL, DMY'", "extra_float_digits = -15", "bytea_output = 'escape'", "TimeZone = 'Asia/Kolkata'");
  /** The target's differ from the source's, so a value printed by one and read by the other would change. */
  private static final List<String> TARGET_SETTINGS = List.of("IntervalStyle = 'iso_8601'",
      "DateStyle = 'German, MDY'", "extra_float_digits = 0", "TimeZone = 'America/St_Johns'");

  private static final String VALUES = """
      CREATE TABLE vals (id integer PRIMARY KEY, iv interval, d date, ts timestamp, tstz timestamptz,
          f8 float8, f4 float4, b bytea, m money, n numeric);
      INSERT INTO vals VALUES
        (1, '-1 days -02:03:04', '2026-12-07', '2026-01-02 03:04:05.678901', '2026-01-02 03:04:05.678901+05:30',
            0.1, 0.1, '\\x00ff5c27', 1234.56, 1.5),
        (2, '1 year 2 mons -3 days +04:05:06.789', '0044-03-15 BC', '1999-12-31 23:59:59.999999',
            '1970-01-01 00:00:00+00', 1e-300, 3.4e38, '\\x', -0.01, -0.0),
        (3, '-1 year -2 mons +3 days -04:05:06', '2000-02-29', 'infinity', '-infinity',
            'NaN', '-Infinity', 'é'::bytea, 0, 'NaN'),
        (4, '0', '13-11-2026'::text::date, NULL, '2026-03-29 02:30:00 Europe/Berlin', 2.718281828459045,
            1.17549435e-38, NULL, NULL, NULL);
      """;

  /** Every row as the server holds it, printed in one session with fixed formats. */
  private static List<String> rows(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET IntervalStyle = postgres; SET DateStyle = ISO; SET extra_float_digits = 3;"
          + " SET bytea_output = hex; SET TimeZone = UTC; SET lc_monetary = 'C'");
    }
    return TestPostgres.rows(c, "SELECT v::text FROM vals v ORDER BY id");
  }

  private static String source() throws SQLException {
    String src = TestPostgres.freshDatabase("formats_src");
    TestPostgres.execute(src, "SET DateStyle = 'ISO, DMY';" + VALUES);
    for (String setting : SOURCE_SETTINGS) {
      TestPostgres.execute(src, "ALTER DATABASE " + src + " SET " + setting);
    }
    return src;
  }

  @Test
  void valuesArriveExactWhateverTheDatabasesSetAndChecksumsAgree() throws Exception {
    String src = source();
    String dst = TestPostgres.freshDatabase("formats_dst");
    for (String setting : TARGET_SETTINGS) {
      TestPostgres.execute(dst, "ALTER DATABASE " + dst + " SET " + setting);
    }
    MigrationSummary summary = Migrations.run(TestConfigs.onTestPostgres(src, dst, """
        load:
          verify: checksums
        """).withPlainTarget());
    assertTrue(summary.ok(), summary::render);
    try (Connection s = TestPostgres.connect(src); Connection t = TestPostgres.connect(dst)) {
      assertEquals(rows(s), rows(t));
    }
  }

  @Test
  void onCitusTheCoordinatorsSettingsChangeNoValue() throws Exception {
    TestCitus.assumeAvailable();
    String src = source();
    String dst = TestCitus.freshDatabase("formats_cdst");
    TestCitus.setOnCoordinator(dst, TARGET_SETTINGS); // the workers' own sessions keep what their databases set
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), """
        distribute: [vals using id]
        load:
          verify: checksums
        """));
    assertTrue(summary.ok(), summary::render);
    try (Connection s = TestPostgres.connect(src); Connection t = TestCitus.connect(dst)) {
      assertEquals(rows(s), rows(t));
    }
  }
}
