package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Every PostgreSQL type the tool is likely to meet goes through {@code migrate} byte for byte: one
 * table with a column per type (built-in, arrays, enum, domain, composite, ranges, multiranges,
 * geometric, xml...) and rows of edge values, a row of NULLs and a row of empty values, compared
 * as COPY text on both sides. The JVM runs in UTC+14 (pgjdbc sends the JVM's zone as the session
 * TimeZone), so a time value that took a trip through a Java type or a zone would show.
 */
class TypeMatrixTest {
  private static final String SCHEMA = "/dev/pg2citus/pipeline/type-matrix.sql";
  private static final String YAML = """
      load:
        include-drop: true
        partitions-per-table: 2
        batch-rows: 2
        verify: checksums
      """;
  private static final String COPY = "COPY (SELECT * FROM matrix ORDER BY id) TO STDOUT";
  private static final String COLUMNS = "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
      + " WHERE a.attrelid = 'public.matrix'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

  private static TimeZone saved;

  @BeforeAll
  static void farTimeZone() {
    saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
  }

  @AfterAll
  static void restoreTimeZone() {
    TimeZone.setDefault(saved);
  }

  @Test
  void everyTypeRoundTripsByteForByte() throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("types_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(SCHEMA));
    String dst = TestPostgres.freshDatabase("types_dst");
    // The sessions really are in the far zone (what this test is about).
    assertEquals("Pacific/Kiritimati", query(src, "SHOW TimeZone").get(0));

    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, YAML).withPlainTarget();
    MigrationSummary summary = Migrations.run(config);

    assertTrue(summary.ok(), summary::render);
    assertEquals(1, summary.tables().size(), summary::render);
    MigrationSummary.TableRow t = summary.tables().get(0);
    assertEquals("public.matrix", t.table());
    assertEquals(5, t.sourceRows(), summary::render);
    assertEquals(5, t.rowsRead(), summary::render);
    assertEquals(5, t.rowsWritten(), summary::render);
    assertEquals(0, t.rowsRejected(), summary::render);
    assertEquals(5, t.targetRows(), summary::render);
    assertEquals(MigrationSummary.Check.MATCH, t.checksums(), summary::render);
    assertEquals(2, count(dst, "SELECT count(*) FROM pg2citus.partitions WHERE done"), "both partitions done");

    List<String> sourceColumns = query(src, COLUMNS);
    assertEquals(57, sourceColumns.size(), "a column per type");
    assertEquals(sourceColumns, query(dst, COLUMNS), "column names and types");

    List<String> names = sourceColumns.stream().map(c -> c.substring(0, c.indexOf('|'))).toList();
    // In the sessions' own (far) zone, then in UTC: the instants are the same, not only their text.
    for (String zone : new String[] {null, "UTC", "America/St_Johns"}) {
      List<byte[]> expected = copyRows(src, zone);
      List<byte[]> actual = copyRows(dst, zone);
      assertEquals(5, expected.size(), "source rows");
      compare(names, expected, actual, zone == null ? "Pacific/Kiritimati" : zone);
    }
  }

  /** Row by row, naming the first row and column that differ, with both values. */
  private static void compare(List<String> names, List<byte[]> expected, List<byte[]> actual, String zone) {
    for (int r = 0; r < Math.min(expected.size(), actual.size()); r++) {
      if (Arrays.equals(expected.get(r), actual.get(r))) {
        continue;
      }
      String[] e = new String(expected.get(r), StandardCharsets.UTF_8).split("\t", -1);
      String[] a = new String(actual.get(r), StandardCharsets.UTF_8).split("\t", -1);
      for (int c = 0; c < Math.max(e.length, a.length); c++) {
        String ev = c < e.length ? e[c] : "<missing>";
        String av = c < a.length ? a[c] : "<missing>";
        if (!ev.equals(av)) {
          fail("row " + (r + 1) + " (id " + e[0] + "), column " + (c < names.size() ? names.get(c) : "#" + c)
              + " differs in time zone " + zone + ":\n  source: " + ev + "\n  target: " + av);
        }
      }
      fail("row " + (r + 1) + " differs in bytes but not in text (encoding?) in time zone " + zone);
    }
    assertEquals(expected.size(), actual.size(), "row count");
  }

  /** The table as COPY text, one byte array per row, exactly as PostgreSQL writes it. */
  private static List<byte[]> copyRows(String db, String zone) throws SQLException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Connection c = TestPostgres.connect(db)) {
      if (zone != null) {
        try (Statement st = c.createStatement()) {
          st.execute("SET TimeZone = '" + zone + "'");
        }
      }
      c.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY, out);
    }
    byte[] all = out.toByteArray();
    List<byte[]> rows = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        rows.add(Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
    assertEquals(all.length, start, "COPY output ends with a line end");
    return rows;
  }

  /** Each row's columns joined by '|'. */
  private static List<String> query(String db, String sql) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int k = 1; k <= n; k++) {
          row.append(k > 1 ? "|" : "").append(rs.getString(k));
        }
        result.add(row.toString());
      }
    }
    return result;
  }

  private static long count(String db, String sql) throws SQLException {
    return Long.parseLong(query(db, sql).get(0));
  }
}
