package dev.pg2citus.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * {@link CitusHash} against the server's own hash of the same values, for many random values per type:
 * PostgreSQL's hash support functions (what Citus calls) on every run, and Citus' {@code worker_hash}
 * where Citus runs. Each value is hashed from its COPY text as the server prints it, with a time zone
 * whose offsets have minutes and, in the past, seconds.
 */
class CitusHashTest {
  private static final int VALUES_PER_TYPE = 2000;
  private static final String[] ALPHABET = {"a", "Z", "0", " ", "é", "ß", "日本", "😀", "\\", "\n", "\t", "\r", "'",
      "\"", ",", "|", "\u0001", "\u007f", "ÿ", "Ω"};

  /**
   * A type; its hash support function in PostgreSQL called on a value ({@code %s}) as Citus calls it on
   * the value's internal form, or null where SQL cannot call it (bytea's takes {@code internal}); and
   * random values of it as SQL input text.
   */
  private record Case(String type, String oracle, List<String> values) {}

  private static List<Case> cases(long seed) {
    Random r = new Random(seed);
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("smallint", "hashint2(%s)", values(r, () -> String.valueOf((short) r.nextInt()),
        "0", "-1", "32767", "-32768")));
    cases.add(new Case("integer", "hashint4(%s)", values(r, () -> String.valueOf(r.nextInt(r.nextBoolean() ? 1000 : Integer.MAX_VALUE) * (r.nextBoolean() ? 1 : -1)),
        "0", "-1", "1", "2147483647", "-2147483648")));
    cases.add(new Case("bigint", "hashint8(%s)", values(r, () -> String.valueOf(r.nextBoolean() ? r.nextLong()
        : r.nextInt()), "0", "-1", "4294967296", "-4294967296", "9223372036854775807", "-9223372036854775808")));
    cases.add(new Case("oid", "hashoid(%s)", values(r, () -> String.valueOf(r.nextInt() & 0xffffffffL), "0",
        "4294967295")));
    cases.add(new Case("boolean", "hashchar(%s::int::\"char\")", List.of("true", "false")));
    cases.add(new Case("text", "hashtext(%s)", values(r, () -> text(r, 64), "")));
    cases.add(new Case("character varying(100)", "hashtext(%s)", values(r, () -> text(r, 64), "")));
    cases.add(new Case("character(12)", "hashbpchar(%s)", values(r, () -> text(r, 10).stripTrailing() + " ".repeat(
        r.nextInt(3)), "", " ")));
    cases.add(new Case("bytea", null, values(r, () -> {
      byte[] bytes = new byte[r.nextInt(65)];
      r.nextBytes(bytes);
      return "\\x" + HexFormat.of().formatHex(bytes);
    }, "\\x")));
    cases.add(new Case("uuid", "uuid_hash(%s)", values(r, () -> new UUID(r.nextLong(), r.nextLong()).toString())));
    cases.add(new Case("date", "hashint4(CASE %1$s WHEN 'infinity' THEN 2147483647 WHEN '-infinity' THEN -2147483648"
        + " ELSE %1$s - date '2000-01-01' END)", values(r, () -> days(r), "infinity", "-infinity", "2000-01-01",
        "0044-03-15 BC", "4713-01-01 BC", "5874897-12-31", "1999-12-31")));
    cases.add(new Case("timestamp without time zone", "timestamp_hash(%s)", values(r,
        () -> days(r) + " " + time(r), "infinity", "-infinity", "2000-01-01 00:00:00", "0044-03-15 12:00:00 BC",
        "294276-12-31 23:59:59.999999", "1999-12-31 23:59:59.999999")));
    cases.add(new Case("timestamp with time zone", "timestamp_hash(%s AT TIME ZONE 'UTC')", values(r,
        () -> days(r) + " " + time(r) + String.format("%+03d:%02d", r.nextInt(27) - 13, r.nextInt(4) * 15),
        "infinity", "-infinity", "1850-06-01 12:00:00+00", "0044-03-15 12:00:00+00 BC")));
    return cases;
  }

  private interface Gen {
    String next();
  }

  private static List<String> values(Random r, Gen gen, String... edges) {
    List<String> values = new ArrayList<>(List.of(edges));
    while (values.size() < VALUES_PER_TYPE) {
      values.add(gen.next());
    }
    return values;
  }

  /** A string of 0 to {@code max} characters from an alphabet with multibyte, escaped and control characters. */
  private static String text(Random r, int max) {
    StringBuilder s = new StringBuilder();
    int length = r.nextInt(max + 1);
    for (int i = 0; i < length; i++) {
      s.append(r.nextInt(3) == 0 ? ALPHABET[r.nextInt(ALPHABET.length)] : String.valueOf((char) ('a' + r.nextInt(26))));
    }
    return s.toString();
  }

  private static String days(Random r) {
    int year = r.nextInt(10) == 0 ? 1 + r.nextInt(4000) : 1900 + r.nextInt(200);
    String date = String.format("%04d-%02d-%02d", year, 1 + r.nextInt(12), 1 + r.nextInt(28));
    return r.nextInt(20) == 0 ? date + " BC" : date;
  }

  private static String time(Random r) {
    return String.format("%02d:%02d:%02d.%06d", r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1_000_000));
  }

  /**
   * Each value of {@code c} as COPY text (what the pipeline sees) beside the oracle's hash of it, in a
   * session that prints values as pg2citus' sessions do.
   */
  private static List<String[]> hashedByServer(Connection conn, Case c, String oracle) throws SQLException {
    String value = "v::" + c.type();
    try (Statement st = conn.createStatement()) {
      st.execute("SET bytea_output = hex; SET TimeZone = 'America/St_Johns';"
          + " CREATE TEMP TABLE IF NOT EXISTS hash_input (n int, v text); TRUNCATE hash_input");
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO hash_input VALUES (?, ?)")) {
      for (int i = 0; i < c.values().size(); i++) {
        ps.setInt(1, i);
        ps.setString(2, c.values().get(i));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    StringWriter out = new StringWriter();
    try {
      conn.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + value + ", " + oracle.formatted(value)
          + " FROM hash_input ORDER BY n) TO STDOUT", out);
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
    List<String[]> rows = new ArrayList<>();
    for (String line : out.toString().split("\n", -1)) {
      if (!line.isEmpty()) {
        rows.add(line.split("\t", -1));
      }
    }
    assertEquals(c.values().size(), rows.size(), c.type());
    return rows;
  }

  private static void assertSameHashes(Connection conn, boolean workerHash) throws SQLException {
    for (Case c : cases(20261207)) {
      CitusHash.FieldHash hash = CitusHash.forType(c.type()).orElseThrow(() -> new AssertionError(c.type()));
      String oracle = workerHash ? "worker_hash(%s)" : c.oracle();
      if (oracle == null) {
        continue; // checked against worker_hash alone
      }
      int compared = 0;
      for (String[] row : hashedByServer(conn, c, oracle)) {
        assertEquals(Integer.parseInt(row[1]), hash.hash(row[0]), c.type() + " " + row[0]);
        compared++;
      }
      assertTrue(compared >= c.values().size(), c.type());
    }
  }

  @Test
  void everyTypeHashesAsPostgresqlsHashFunctions() throws SQLException {
    String db = TestPostgres.freshDatabase("citus_hash");
    try (Connection c = TestPostgres.connect(db)) {
      assertSameHashes(c, false);
    }
  }

  @Test
  void everyTypeHashesAsCitusWorkerHash() throws SQLException {
    TestCitus.assumeAvailable();
    String db = TestCitus.freshDatabase("citus_hash");
    try (Connection c = TestCitus.connect(db)) {
      assertSameHashes(c, true);
    }
  }

  @Test
  void typesWithoutAnExactHashAreNotRouted() {
    for (String type : List.of("numeric", "numeric(10,2)", "jsonb", "integer[]", "mood", "interval", "real",
        "int4range", "citext")) {
      assertFalse(CitusHash.forType(type).isPresent(), type);
    }
    assertTrue(CitusHash.forType("character varying(5)").isPresent());
    assertTrue(CitusHash.forType("timestamp(3) with time zone").isPresent());
  }

  /** Integers are parsed from the row's bytes: a value the type refuses is an error, never a wrong shard. */
  @Test
  void integersOutOfRangeOrMalformedAreRefused() {
    CitusHash.FieldHash smallint = CitusHash.forType("smallint").orElseThrow();
    CitusHash.FieldHash bigint = CitusHash.forType("bigint").orElseThrow();
    for (String bad : List.of("", "-", "+", "1a", "1.5", " 1", "32768", "-32769")) {
      assertThrows(IllegalArgumentException.class, () -> smallint.hash(bad), "smallint '" + bad + "'");
    }
    for (String bad : List.of("9223372036854775808", "-9223372036854775809", "99999999999999999999", "--1")) {
      assertThrows(IllegalArgumentException.class, () -> bigint.hash(bad), "bigint '" + bad + "'");
    }
    assertEquals(CitusHash.hashInt8(Long.MIN_VALUE), bigint.hash("-9223372036854775808"));
    byte[] row = "x\t-42\tz".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(CitusHash.hashInt8(-42), bigint.hash(row, 2, 5), "a field in the middle of a row");
  }
}
