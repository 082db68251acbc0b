package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What each post-data statement of the fidelity schema waits for and holds. */
class PostDataPlanTest {
  private static final TableName CUSTOMER = new TableName("Sales Dept", "Customer");
  private static final TableName ORDERS = new TableName("public", "orders");
  private static final TableName EVENTS = new TableName("public", "events");
  private static final Set<TableName> EVENTS_FAMILY =
      Set.of(EVENTS, new TableName("public", "events_2025"), new TableName("public", "events_rest"));

  private static List<PostDataTask> tasks(String load) throws SQLException {
    String src = TestPostgres.freshDatabase("postdata_plan_src");
    TestPostgres.execute(src, EmbeddedDefault.resource("/dev/pg2citus/ddl/fidelity-schema.sql"));
    return SchemaTool.load(TestConfigs.onTestPostgres(src, src, load)).scripts().postData().tasks();
  }

  private static PostDataTask task(List<PostDataTask> tasks, Step step, String subject) {
    return tasks.stream().filter(t -> t.statement().step() == step && t.statement().subject().equals(subject))
        .findFirst().orElseThrow(() -> new AssertionError(step + " " + subject + " in " + tasks));
  }

  private static Set<String> subjects(Set<DdlStatement> statements) {
    return statements.stream().map(DdlStatement::subject).collect(Collectors.toSet());
  }

  @Test
  void keysWaitForTheirTableAndAPartitionedTableForItsPartitions() throws SQLException {
    List<PostDataTask> tasks = tasks("");
    assertEquals(Set.of(CUSTOMER), task(tasks, Step.PRIMARY_KEY, "\"Sales Dept\".\"Customer\" Customer_pkey").tables());
    PostDataTask eventsKey = task(tasks, Step.PRIMARY_KEY, "public.events events_pkey");
    assertEquals(EVENTS_FAMILY, eventsKey.tables());
    assertEquals(Set.of(), eventsKey.after());
    assertEquals(EVENTS_FAMILY, task(tasks, Step.INDEX, "public.events events_seen_idx").tables());
  }

  @Test
  void aForeignKeyWaitsForBothTablesAndEveryKeyOfTheReferencedTable() throws SQLException {
    PostDataTask fk = task(tasks(""), Step.FOREIGN_KEY, "public.orders orders_customer_id_fkey");
    assertEquals(Set.of(ORDERS, CUSTOMER), fk.tables());
    assertEquals(Set.of("\"Sales Dept\".\"Customer\" Customer_pkey", "\"Sales Dept\".\"Customer\" customer_email_lower"),
        subjects(fk.after()), "the primary key and the unique index, not the hash index");
  }

  @Test
  void analyzeWaitsForTheTablesKeysAndIndexesPartitionsIncluded() throws SQLException {
    List<PostDataTask> tasks = tasks("");
    PostDataTask analyze = task(tasks, Step.ANALYZE, "public.events");
    assertEquals(EVENTS_FAMILY, analyze.tables());
    assertEquals(Set.of("public.events events_pkey", "public.events events_seen_idx"), subjects(analyze.after()));
    assertTrue(tasks.stream().noneMatch(t -> t.statement().step() == Step.ANALYZE
        && t.statement().subject().startsWith("public.events_")), "a partition is analyzed with its table");
    assertEquals(Set.of("public.scratch scratch_pkey", "public.scratch scratch_no_overlap"),
        subjects(task(tasks, Step.ANALYZE, "public.scratch").after()), "the exclusion constraint's index too");
  }

  @Test
  void analyzeCanBeLeftToAutovacuumAndDataOnlyRunsNothingElse() throws SQLException {
    assertTrue(tasks("load:\n  analyze: false\n").stream().noneMatch(t -> t.statement().step() == Step.ANALYZE));
    List<PostDataTask> dataOnly = tasks("load:\n  data-only: true\n");
    assertTrue(dataOnly.stream().allMatch(t -> t.statement().step() == Step.ANALYZE), dataOnly::toString);
    assertTrue(dataOnly.stream().allMatch(t -> t.after().isEmpty()), dataOnly::toString);
  }
}
