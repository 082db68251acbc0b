package dev.pg2citus.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigOptions.OnError;
import dev.pg2citus.read.ReadPartition;
import dev.pg2citus.read.TableCopy;
import dev.pg2citus.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Isolating the rows the target refuses costs a few COPY statements per bad row, not one per row:
 * about two when the server names the line it refused, at most about twice the log of the batch
 * when only halving finds it; and rows that fail alone are found on a probe connection, so the
 * partition's transaction writes the rest in one statement. Every row ends in the target or among
 * the rejects, with its reason.
 */
class RejectIsolationTest {
  private static final int ROWS = 2000;
  private static final TableCopy ITEMS = new TableCopy("public.items", "public.items", "public.items", "items",
      List.of("id", "code"), List.of("id", "code"), List.of("id", "code"), null);
  private static final ReadPartition PARTITION = new ReadPartition("public.items", 0, "true", ROWS);

  private static final String TOO_LONG = "CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL)";

  @Test
  void aRowTheServerNamesCostsTwoStatements() throws SQLException {
    Set<Integer> bad = badIds();
    Result result = load(TOO_LONG, bad, "much-too-long", false);
    assertEquals(bad, result.rejected(), "exactly the bad rows are rejected");
    result.reasons().forEach(r -> assertTrue(r.contains("value too long for type character varying(5)"), r));
    assertTrue(result.copies() <= 2 * bad.size() + 1, result.copies() + " COPY statements for " + bad.size());
  }

  @Test
  void rowsThatFailAloneAreFoundOnTheProbeAndTheRestGoesInAsOneStatement() throws SQLException {
    Set<Integer> bad = badIds();
    Result result = load("CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL CHECK (code <> 'c500'))",
        bad, "much-too-long", true);
    Set<Integer> refused = new TreeSet<>(bad);
    refused.add(500);
    assertEquals(refused, result.rejected(), "exactly the bad rows are rejected");
    assertTrue(result.reasons().stream().anyMatch(r -> r.contains("violates check constraint \"items_code_check\"")
        && r.contains("relation \"items\"")), "the probe's reason names the table: " + result.reasons());
    assertEquals(1, result.copies(), "COPY statements in the partition's transaction after the failed batch");
  }

  @Test
  void aRowFoundByHalvingCostsAboutTwiceTheLogOfTheBatch() throws SQLException {
    Set<Integer> bad = badIds();
    // A constraint checked at the end of the statement: the error names no line.
    // The probe has no indexes, so the partition's transaction finds them.
    Result result = load("CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL,"
        + " CONSTRAINT no_dup EXCLUDE (code WITH =) DEFERRABLE INITIALLY IMMEDIATE);"
        + " INSERT INTO items VALUES (0, 'taken')", bad, "taken", true);
    assertEquals(bad, result.rejected(), "exactly the bad rows are rejected");
    result.reasons().forEach(r -> assertTrue(r.contains("no_dup"), r));
    int log = 32 - Integer.numberOfLeadingZeros(ROWS - 1); // ceil(log2(2000)) = 11
    assertTrue(result.copies() <= 2 * log * bad.size(), result.copies() + " COPY statements for " + bad.size());
  }

  /** 20 of 2,000: one in a hundred, and two side by side. */
  private static Set<Integer> badIds() {
    Set<Integer> bad = new TreeSet<>();
    for (int i = 7; i <= ROWS; i += 100) {
      bad.add(i);
    }
    bad.remove(1907);
    bad.add(1008);
    return bad;
  }

  private record Result(Set<Integer> rejected, List<String> reasons, long copies) {}

  /**
   * Loads rows 1..2000 in one batch, the bad ones with {@code badCode}, screened on a probe
   * connection or not; checks every row is accounted for.
   */
  private static Result load(String ddl, Set<Integer> bad, String badCode, boolean withProbe) throws SQLException {
    String db = TestPostgres.freshDatabase("isolate");
    TestPostgres.execute(db, ddl);
    try (Connection c = TestPostgres.connect(db); Connection probe = TestPostgres.connect(db)) {
      c.setAutoCommit(false);
      CopySink sink = new CopySink(c, withProbe ? probe : null, ITEMS, PARTITION, OnError.REJECT, ROWS,
          Long.MAX_VALUE, rows -> {});
      for (int id = 1; id <= ROWS; id++) {
        sink.add((id + "\t" + (bad.contains(id) ? badCode : "c" + id) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      long written = sink.flush();
      c.commit();
      Set<Integer> rejected = new TreeSet<>();
      List<String> reasons = new ArrayList<>();
      for (RejectedRow r : sink.rejects()) {
        rejected.add(Integer.parseInt(r.row().split("\t")[0]));
        reasons.add(r.reason());
      }
      assertEquals(ROWS - rejected.size(), written);
      assertEquals(List.of(String.valueOf(ROWS - rejected.size())),
          TestPostgres.rows(c, "SELECT count(*) FROM items WHERE id > 0"));
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM items WHERE id = ANY ('"
          + rejected.toString().replace('[', '{').replace(']', '}') + "')"), "no rejected row is in");
      assertEquals(List.of("0"), TestPostgres.rows(c, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'"),
          "the probe's table is gone");
      return new Result(rejected, reasons, sink.isolationCopies());
    }
  }
}
