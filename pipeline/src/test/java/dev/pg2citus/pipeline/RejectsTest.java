package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestCitus;
import dev.pg2citus.testing.TestPostgres;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;

/**
 * Rows that cannot be loaded: orphans (no distribution value along the foreign-key path) and rows
 * the target refuses. With {@code reject} they go to the reject files with their reason and the
 * rest loads, and the counts account for every source row; with {@code stop} the data phase fails
 * naming table, partition and reason, and that partition leaves nothing in the target.
 */
class RejectsTest {
  /** A small tutorial: ads and clicks reach companies only through foreign keys. */
  private static final String TUTORIAL = """
      CREATE TABLE companies (id bigint PRIMARY KEY, name text NOT NULL);
      CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id),
          name text NOT NULL);
      CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id), name text NOT NULL);
      CREATE TABLE clicks (id bigint PRIMARY KEY, ad_id bigint REFERENCES ads (id), note text);
      INSERT INTO companies SELECT i, 'company ' || i FROM generate_series(1, 5) i;
      INSERT INTO campaigns SELECT i, 1 + i % 5, 'campaign ' || i FROM generate_series(1, 20) i;
      INSERT INTO ads SELECT i, 1 + i % 20, E'ad\\t' || i FROM generate_series(1, 60) i;
      INSERT INTO clicks SELECT i, 1 + i % 60, 'click ' || i FROM generate_series(1, 200) i;
      """;

  /** Dangling rows: the foreign keys are not checked in replica mode. */
  private static final String ORPHANS = """
      SET session_replication_role = replica;
      INSERT INTO ads VALUES (61, NULL, 'no campaign'), (62, 999, 'missing campaign');
      INSERT INTO clicks VALUES (201, 61, 'to the ad without campaign'), (202, 62, 'to the ad of a missing campaign'),
          (203, 9999, 'to a missing ad'), (204, NULL, 'to no ad');
      """;

  private static final String ADS_PATH = "ads(campaign_id) → campaigns(id); value campaigns.company_id";
  private static final String CLICKS_PATH =
      "clicks(ad_id) → ads(id), ads(campaign_id) → campaigns(id); value campaigns.company_id";

  private static final String ITEMS = """
      CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL, qty integer NOT NULL);
      INSERT INTO items SELECT i, 'c' || i, i FROM generate_series(1, 40) i;
      UPDATE items SET code = 'much-too-long' WHERE id IN (3, 17, 18);
      UPDATE items SET qty = -1 WHERE id IN (10, 33);
      """;
  /** The target's items refuse what the source's accept: a shorter code, and no negative qty. */
  private static final String STRICT_ITEMS =
      "CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL, qty integer NOT NULL CHECK (qty >= 0))";
  private static final Set<Integer> TOO_LONG = Set.of(3, 17, 18);
  private static final Set<Integer> NEGATIVE = Set.of(10, 33);

  private static String tutorial(String orphans) throws SQLException {
    String src = TestPostgres.freshDatabase("rejects_src");
    TestPostgres.execute(src, TUTORIAL + orphans);
    return src;
  }

  @ParameterizedTest(name = "shuffle join: {0}")
  @ValueSource(booleans = {false, true})
  void orphansAreRejectedWithTheirReasonAndTheRestLoads(boolean shuffle, @TempDir Path rejects)
      throws SQLException, IOException {
    String src = tutorial(ORPHANS);
    String dst = TestPostgres.freshDatabase("rejects_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute:
          - companies using id
        load:
          include-drop: true
          partitions-per-table: 3
          batch-rows: 7
        """ + (shuffle ? "  side-input-max-keys: 0\n" : "")).withPlainTarget();
    MigrationSummary summary = Migrations.run(config, false, rejects);

    assertFalse(summary.ok(), "a run with rejects is not clean:\n" + summary.render());
    assertTrue(summary.phases().stream().allMatch(p -> p.errors().isEmpty()), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
    assertEquals(6, summary.rejected(), summary::render);
    Map<String, MigrationSummary.TableRow> tables = byName(summary);
    assertCounts(tables.get("public.companies"), 5, 5, 0);
    assertCounts(tables.get("public.campaigns"), 20, 20, 0);
    assertCounts(tables.get("public.ads"), 62, 60, 2);
    assertCounts(tables.get("public.clicks"), 204, 200, 4);
    assertTrue(summary.render().contains("rejected rows: 6 in " + rejects.resolve("public.ads.dat") + ", "
        + rejects.resolve("public.clicks.dat")), summary::render);
    assertEquals(MigrationSummary.Outcome.ROWS_REJECTED, summary.outcome());
    assertTrue(summary.render().endsWith("migration complete except for 6 rejected rows (reject files above);"
        + " exit code 4\n"), summary::render);

    // The reject files hold the source rows exactly (COPY text), each with why.
    assertEquals(sorted(copy(src, "SELECT * FROM ads WHERE id IN (61, 62)")), sorted(dat(rejects, "public.ads")));
    assertEquals(sorted(copy(src, "SELECT * FROM clicks WHERE id > 200")), sorted(dat(rejects, "public.clicks")));
    assertFalse(Files.exists(rejects.resolve("public.companies.dat")));
    assertFalse(Files.exists(rejects.resolve("public.campaigns.dat")));
    Map<String, String> ads = log(rejects, "public.ads");
    assertEquals(2, ads.size(), ads::toString);
    assertEquals("the foreign key is NULL, so no distribution value can be found along " + ADS_PATH,
        ads.get(row(src, "ads", 61)));
    assertEquals("the foreign key (999) leads to no distribution value along " + ADS_PATH, ads.get(row(src, "ads", 62)));
    Map<String, String> clicks = log(rejects, "public.clicks");
    assertEquals(4, clicks.size(), clicks::toString);
    // A click of a rejected ad has no company either: rejected too, naming the ad it points at.
    assertEquals("the foreign key (61) leads to no distribution value along " + CLICKS_PATH,
        clicks.get(row(src, "clicks", 201)));
    assertEquals("the foreign key (62) leads to no distribution value along " + CLICKS_PATH,
        clicks.get(row(src, "clicks", 202)));
    assertEquals("the foreign key (9999) leads to no distribution value along " + CLICKS_PATH,
        clicks.get(row(src, "clicks", 203)));
    assertEquals("the foreign key is NULL, so no distribution value can be found along " + CLICKS_PATH,
        clicks.get(row(src, "clicks", 204)));

    // Every other row is in the target, exactly, with the company found along its path.
    assertEquals(copy(src, "SELECT * FROM companies ORDER BY id"), copy(dst, "SELECT * FROM companies ORDER BY id"));
    assertEquals(copy(src, "SELECT * FROM campaigns ORDER BY id"), copy(dst, "SELECT * FROM campaigns ORDER BY id"));
    assertEquals(copy(src, "SELECT ca.company_id, a.* FROM ads a JOIN campaigns ca ON ca.id = a.campaign_id"
            + " ORDER BY a.id"),
        copy(dst, "SELECT company_id, id, campaign_id, name FROM ads ORDER BY id"));
    assertEquals(copy(src, "SELECT ca.company_id, k.* FROM clicks k JOIN ads a ON a.id = k.ad_id"
            + " JOIN campaigns ca ON ca.id = a.campaign_id ORDER BY k.id"),
        copy(dst, "SELECT company_id, id, ad_id, note FROM clicks ORDER BY id"));
    assertEquals(60, copy(dst, "SELECT id FROM ads").size());
    assertEquals(200, copy(dst, "SELECT id FROM clicks").size());
  }

  @Test
  void orphanWithOnOrphanStopFailsTheDataPhaseAndLeavesItsPartitionOut(@TempDir Path rejects)
      throws SQLException, IOException {
    String src = tutorial("SET session_replication_role = replica;\n"
        + "INSERT INTO ads VALUES (62, 999, 'missing campaign');\n");
    String dst = TestPostgres.freshDatabase("orphan_stop_dst");
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute:
          - companies using id
        load:
          include-drop: true
          partitions-per-table: 3
          on-orphan: stop
          check-data: false
        """).withPlainTarget();
    // The data check would refuse the run up front (DataCheckTest); without it, the data phase stops.
    MigrationSummary summary = Migrations.run(config, false, rejects);

    assertFalse(summary.ok(), summary::render);
    String error = dataError(summary);
    assertTrue(error.contains("public.ads partition "), error);
    assertTrue(error.contains("the foreign key (999) leads to no distribution value along " + ADS_PATH), error);
    assertTrue(error.contains("load.on-orphan: stop"), error);
    // Post-data ran for the tables that were complete, and touched nothing of the table that failed.
    MigrationSummary.Phase finalize = summary.phases().stream().filter(p -> p.name().equals("finalize")).findFirst()
        .orElseThrow(() -> new AssertionError(summary.render()));
    assertTrue(finalize.notes().stream().anyMatch(n -> n.startsWith("the data phase failed: ")), summary::render);
    assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_constraint"
        + " WHERE 'ads'::regclass IN (conrelid, confrelid)"), "no key or foreign key of ads, or to it");
    assertEquals(0, summary.rejected(), summary::render);
    assertFalse(Files.exists(rejects.resolve("public.ads.dat")), "stop rejects nothing");

    String predicate = failedPartition(dst, "public.ads", error);
    assertTrue(copy(src, "SELECT id FROM ads WHERE " + predicate).size() > 1, "the partition has other rows too");
    assertTrue(copy(src, "SELECT id FROM ads WHERE id = 62 AND (" + predicate + ")").size() == 1,
        "the partition named is the orphan's");
    assertEquals(List.of(), copy(dst, "SELECT id FROM ads WHERE " + predicate), "nothing of the partition is loaded");
  }

  @Test
  void rowsTheTargetRefusesAreRejectedWithPostgresqlsReason(@TempDir Path rejects) throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("refused_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestPostgres.freshDatabase("refused_dst");
    TestPostgres.execute(dst, STRICT_ITEMS);
    MigrationSummary summary = Migrations.run(refusing(src, dst, "reject"), false, rejects);

    assertFalse(summary.ok(), summary::render);
    assertTrue(summary.phases().stream().allMatch(p -> p.errors().isEmpty()), summary::render);
    assertEquals(1, summary.tables().size(), summary::render);
    assertCounts(summary.tables().get(0), 40, 35, 5);
    assertTrue(summary.tables().get(0).consistent(), summary::render);

    // The bad rows, and only them, exactly as the source has them, each with PostgreSQL's reason.
    assertEquals(sorted(copy(src, "SELECT * FROM items WHERE id IN (3, 10, 17, 18, 33)")),
        sorted(dat(rejects, "public.items")));
    Map<String, String> log = log(rejects, "public.items");
    assertEquals(5, log.size(), log::toString);
    for (int id : TOO_LONG) {
      String reason = log.get(row(src, "items", id));
      assertNotNull(reason, "row " + id + " in the log: " + log);
      assertTrue(reason.contains("value too long for type character varying(5)"), reason);
    }
    for (int id : NEGATIVE) {
      String reason = log.get(row(src, "items", id));
      assertNotNull(reason, "row " + id + " in the log: " + log);
      assertTrue(reason.contains("violates check constraint \"items_qty_check\""), reason);
    }
    assertEquals(copy(src, "SELECT * FROM items WHERE id NOT IN (3, 10, 17, 18, 33) ORDER BY id"),
        copy(dst, "SELECT * FROM items ORDER BY id"));
  }

  /**
   * On Citus a row can be refused by the coordinator (its parser: a too long value, with the line)
   * or by the worker holding its shard (a check, which Citus passes on as XX000 naming the shard):
   * either is rejected with its reason and the rest loads. On the shard path the worker refuses both,
   * in its own transaction, and the rows are isolated there.
   */
  @ParameterizedTest(name = "refused by the {0}, write path {1}")
  @CsvSource({"coordinator, coordinator", "worker, coordinator", "coordinator, shards", "worker, shards"})
  void rowsCitusRefusesAreRejectedWithTheirReason(String where, String writePath, @TempDir Path rejects)
      throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("citus_refused_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestCitus.freshDatabase("citus_refused_dst");
    try (Connection c = TestCitus.connect(dst); Statement st = c.createStatement()) {
      st.execute(where.equals("coordinator") ? "CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL,"
          + " qty integer NOT NULL)" : "CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL,"
          + " qty integer NOT NULL CHECK (qty >= 0))");
      st.execute("SELECT create_distributed_table('items', 'id')");
    }
    MigrationSummary summary = Migrations.run(TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst),
        TestCitus.user(), """
        load:
          data-only: true
          partitions-per-table: 2
          batch-rows: 7
          on-error: reject
          write-path: %s
        """.formatted(writePath)), false, rejects);

    Set<Integer> bad = where.equals("coordinator") ? TOO_LONG : NEGATIVE;
    assertTrue(summary.phases().stream().allMatch(p -> p.errors().isEmpty()), summary::render);
    if (writePath.equals("shards")) {
      assertTrue(summary.render().contains("1 of 1 tables straight into their shards"), summary::render);
      assertTrue(summary.render().contains("every row lies in its shard's hash range"), summary::render);
    }
    assertCounts(summary.tables().get(0), 40, 40 - bad.size(), bad.size());
    Map<String, String> log = log(rejects, "public.items");
    assertEquals(bad.size(), log.size(), log::toString);
    for (int id : bad) {
      String reason = log.get(row(src, "items", id));
      assertNotNull(reason, "row " + id + " in the log: " + log);
      assertTrue(reason.contains(where.equals("coordinator") ? "value too long for type character varying(5)"
          : "violates check constraint \"items_qty_check"), reason);
    }
    try (Connection c = TestCitus.connect(dst)) {
      assertEquals(copy(src, "SELECT * FROM items WHERE id NOT IN " + bad.toString().replace('[', '(').replace(']', ')')
          + " ORDER BY id"), TestPostgres.rows(c, "SELECT i::text FROM (SELECT id, code, qty FROM items) i ORDER BY id")
          .stream().map(r -> r.substring(1, r.length() - 1).replace(',', '\t')).toList());
    }
  }

  /**
   * The shard path's rejects are counted once when a partition is copied again after one worker's
   * part committed and the other's did not (as a kill between the two commits leaves it): made here
   * by undoing, after a run, the second worker's part and the coordinator's record of the partition.
   * The resumed attempt skips the first worker's rows, takes its rejected rows from its ledger, and
   * writes and rejects the second's again.
   */
  @Test
  void shardPathRejectsAreCountedOnceWhenOneWorkersPartIsRedone(@TempDir Path rejects)
      throws SQLException, IOException {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("shard_redo_src");
    TestPostgres.execute(src, "CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL);"
        + " INSERT INTO items SELECT i, CASE WHEN i % 10 = 0 THEN 'much-too-long' ELSE 'c' || i END"
        + " FROM generate_series(1, 200) i;");
    String dst = TestCitus.freshDatabase("shard_redo_dst");
    try (Connection c = TestCitus.connect(dst); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id integer PRIMARY KEY, code varchar(5) NOT NULL)");
      st.execute("SELECT create_distributed_table('items', 'id')");
    }
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestCitus.user(), """
        load:
          data-only: true
          partitions-per-table: 1
          batch-rows: 7
          on-error: reject
          write-path: shards
        """);
    assertCounts(Migrations.run(config, false, Migrations.rejectsDir()).tables().get(0), 200, 180, 20);

    List<String[]> workers;
    try (Connection c = TestCitus.connect(dst)) {
      workers = TestPostgres.rows(c, "SELECT nodename || ' ' || nodeport FROM pg_dist_node WHERE groupid <> 0"
          + " ORDER BY nodeport").stream().map(r -> r.split(" ")).toList();
    }
    assertEquals(2, workers.size(), "two workers");
    String[] redone = workers.get(1);
    long keptRejects;
    try (Connection first = config.target().openNode(workers.get(0)[0], Integer.parseInt(workers.get(0)[1]));
        Connection second = config.target().openNode(redone[0], Integer.parseInt(redone[1]));
        Statement st = second.createStatement(); Connection c = TestCitus.connect(dst);
        Statement coordinator = c.createStatement()) {
      keptRejects = Long.parseLong(TestPostgres.rows(first, "SELECT sum(cardinality(rejected_rows))"
          + " FROM pg2citus_shards.ledger").get(0));
      assertTrue(keptRejects > 0 && keptRejects < 20, "both workers refused rows: " + keptRejects + " on the first");
      for (String shard : TestPostgres.rows(c, "SELECT shard_name(s.logicalrelid, s.shardid) FROM pg_dist_shard s"
          + " JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)"
          + " WHERE s.logicalrelid = 'items'::regclass AND n.nodeport = " + redone[1])) {
        st.execute("DELETE FROM " + shard);
      }
      st.execute("DELETE FROM pg2citus_shards.ledger");
      coordinator.execute("UPDATE pg2citus.partitions SET done = false; DELETE FROM pg2citus.rejects;"
          + " DELETE FROM pg2citus.steps WHERE step IN ('LOADED', 'FINALIZED', 'VERIFIED')");
    }

    MigrationSummary summary = Migrations.run(config, true, rejects);
    assertTrue(summary.phases().stream().allMatch(p -> p.errors().isEmpty()), summary::render);
    assertCounts(summary.tables().get(0), 200, 180, 20);
    assertEquals(sorted(copy(src, "SELECT * FROM items WHERE id % 10 = 0")), sorted(dat(rejects, "public.items")),
        "every refused row once in the reject file");
    Map<String, String> log = log(rejects, "public.items");
    assertEquals(20, log.size(), log::toString);
    assertTrue(log.values().stream().allMatch(r -> r.contains("value too long for type character varying(5)")),
        log::toString);
  }

  @Test
  void rowsTheTargetRefusesStopTheRunWithOnErrorStop(@TempDir Path rejects) throws SQLException, IOException {
    String src = TestPostgres.freshDatabase("refused_stop_src");
    TestPostgres.execute(src, ITEMS);
    String dst = TestPostgres.freshDatabase("refused_stop_dst");
    TestPostgres.execute(dst, STRICT_ITEMS);
    MigrationSummary summary = Migrations.run(refusing(src, dst, "stop"), false, rejects);

    assertFalse(summary.ok(), summary::render);
    String error = dataError(summary);
    assertTrue(error.contains("public.items partition "), "names table and partition: " + error);
    assertTrue(error.contains("value too long for type character varying(5)")
        || error.contains("violates check constraint \"items_qty_check\""), "PostgreSQL's reason: " + error);
    assertEquals(0, summary.rejected(), summary::render);
    assertFalse(Files.exists(rejects.resolve("public.items.dat")), "stop rejects nothing");

    String predicate = failedPartition(dst, "public.items", error);
    assertTrue(copy(src, "SELECT id FROM items WHERE " + predicate).size() > 1);
    assertEquals(List.of(), copy(dst, "SELECT id FROM items WHERE " + predicate), "nothing of the partition is loaded");
    // Both partitions hold a bad row, so nothing at all is loaded.
    assertEquals(List.of(), copy(dst, "SELECT id FROM items"));
  }

  /** The strict target table exists already: load rows only, in batches of 7 over two partitions. */
  private static MigrationConfig refusing(String src, String dst, String onError) {
    return TestConfigs.onTestPostgres(src, dst, """
        load:
          data-only: true
          partitions-per-table: 2
          batch-rows: 7
          on-error: %s
        """.formatted(onError)).withPlainTarget();
  }

  private static void assertCounts(MigrationSummary.TableRow t, long source, long written, long rejected) {
    assertNotNull(t);
    String what = t.toString();
    assertEquals(source, t.sourceRows(), what);
    assertEquals(source, t.rowsRead(), what);
    assertEquals(written, t.rowsWritten(), what);
    assertEquals(rejected, t.rowsRejected(), what);
    assertEquals(written, t.targetRows(), what);
    assertEquals(t.sourceRows(), t.rowsWritten() + t.rowsRejected(), what);
  }

  private static Map<String, MigrationSummary.TableRow> byName(MigrationSummary summary) {
    return summary.tables().stream().collect(Collectors.toMap(MigrationSummary.TableRow::table, t -> t));
  }

  /** The data phase's one error. */
  private static String dataError(MigrationSummary summary) {
    MigrationSummary.Phase data = summary.phases().stream().filter(p -> p.name().equals("data")).findFirst()
        .orElseThrow(() -> new AssertionError("no data phase:\n" + summary.render()));
    assertEquals(1, data.errors().size(), summary::render);
    return data.errors().get(0);
  }

  /** The predicate of the partition the error names, which must not be marked done. */
  private static String failedPartition(String dst, String table, String error) throws SQLException {
    Matcher m = Pattern.compile(Pattern.quote(table) + " partition (\\d+)").matcher(error);
    assertTrue(m.find(), "names the partition: " + error);
    int number = Integer.parseInt(m.group(1));
    try (Connection c = TestPostgres.connect(dst); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT predicate, done FROM pg2citus.partitions WHERE table_name = '"
            + table + "' AND partition_no = " + number)) {
      assertTrue(rs.next(), table + " partition " + number + " is in the run record");
      assertFalse(rs.getBoolean(2), "the failed partition is not done");
      return rs.getString(1);
    }
  }

  /** One row of {@code table} as COPY text. */
  private static String row(String db, String table, int id) throws SQLException {
    List<String> rows = copy(db, "SELECT * FROM " + table + " WHERE id = " + id);
    assertEquals(1, rows.size());
    return rows.get(0);
  }

  /** The query's rows as COPY text lines, exactly as PostgreSQL writes them. */
  private static List<String> copy(String db, String query) throws SQLException {
    StringWriter out = new StringWriter();
    try (Connection c = TestPostgres.connect(db)) {
      c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT", out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String text = out.toString();
    return text.isEmpty() ? List.of() : List.of(text.substring(0, text.length() - 1).split("\n", -1));
  }

  private static List<String> dat(Path dir, String table) throws IOException {
    return Files.readAllLines(dir.resolve(table + ".dat"), StandardCharsets.UTF_8);
  }

  /** The .log as row → reason; each entry is a reason line, then {@code "  row: "} and the row. */
  private static Map<String, String> log(Path dir, String table) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(table + ".log"), StandardCharsets.UTF_8);
    assertEquals(0, lines.size() % 2, "reason and row lines: " + lines);
    Map<String, String> result = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i += 2) {
      assertTrue(lines.get(i + 1).startsWith("  row: "), lines.get(i + 1));
      result.put(lines.get(i + 1).substring("  row: ".length()), lines.get(i));
    }
    return result;
  }

  private static List<String> sorted(List<String> lines) {
    List<String> result = new ArrayList<>(lines);
    result.sort(null);
    return result;
  }
}
