package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.catalog.TableName;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which post-data tasks may start: loaded tables, finished prerequisites, tables no running task holds. */
class PostDataSchedulerTest {
  private static final TableName COMPANIES = new TableName("public", "companies");
  private static final TableName ADS = new TableName("public", "ads");
  private static final TableName EVENTS = new TableName("public", "events");
  private static final TableName EVENTS_2025 = new TableName("public", "events_2025");

  private static final PostDataTask COMPANIES_PK = task(Step.PRIMARY_KEY, "companies_pkey", Set.of(COMPANIES));
  private static final PostDataTask ADS_PK = task(Step.PRIMARY_KEY, "ads_pkey", Set.of(ADS));
  private static final PostDataTask ADS_NAME = task(Step.INDEX, "ads_name", Set.of(ADS));
  private static final PostDataTask ADS_URL = task(Step.INDEX, "ads_url", Set.of(ADS));
  private static final PostDataTask ADS_FK = new PostDataTask(statement(Step.FOREIGN_KEY, "ads_company_fkey"),
      Set.of(ADS, COMPANIES), Set.of(COMPANIES_PK.statement()));

  @Test
  void aTableStartsOnceItIsNoLongerLoading() {
    PostDataScheduler s = new PostDataScheduler(List.of(COMPANIES_PK, ADS_PK), Set.of());
    assertEquals(List.of(ADS_PK), s.start(4, Set.of(COMPANIES)));
    assertEquals(List.of(), s.start(4, Set.of(COMPANIES)), "companies still loads");
    assertEquals(List.of(COMPANIES_PK), s.start(4, Set.of()));
  }

  @Test
  void aForeignKeyWaitsForBothTablesAndTheReferencedKeys() {
    PostDataScheduler s = new PostDataScheduler(List.of(COMPANIES_PK, ADS_FK), Set.of());
    assertEquals(List.of(), s.start(4, Set.of(ADS, COMPANIES)));
    assertEquals(List.of(COMPANIES_PK), s.start(4, Set.of(ADS)), "ads still loads, and the key is not built");
    assertEquals(List.of(), s.start(4, Set.of()), "the key is being built");
    s.finished(COMPANIES_PK);
    assertEquals(List.of(ADS_FK), s.start(4, Set.of()));
    s.finished(ADS_FK);
    assertTrue(s.allFinished());
  }

  @Test
  void statementsOnATableRunOneAtATimeExceptIndexBuilds() {
    PostDataScheduler s = new PostDataScheduler(List.of(ADS_PK, ADS_NAME, ADS_URL), Set.of());
    assertEquals(List.of(ADS_PK), s.start(4, Set.of()), "the primary key locks ads");
    s.finished(ADS_PK);
    assertEquals(List.of(ADS_NAME, ADS_URL), s.start(4, Set.of()), "index builds share the table");
    assertEquals(2, s.running());
  }

  @Test
  void aPartitionedTablesStatementHoldsItsPartitions() {
    PostDataTask parentPk = task(Step.PRIMARY_KEY, "events_pkey", Set.of(EVENTS, EVENTS_2025));
    PostDataTask partitionCheck = task(Step.CHECK, "events_2025_check", Set.of(EVENTS_2025));
    PostDataScheduler s = new PostDataScheduler(List.of(parentPk, partitionCheck), Set.of());
    assertEquals(List.of(), s.start(4, Set.of(EVENTS_2025)), "the parent waits for its partition's rows");
    assertEquals(List.of(parentPk), s.start(4, Set.of()));
    s.finished(parentPk);
    assertEquals(List.of(partitionCheck), s.start(4, Set.of()));
  }

  @Test
  void atMostTheFreeWorkersStart() {
    PostDataScheduler s = new PostDataScheduler(List.of(COMPANIES_PK, ADS_NAME, ADS_URL), Set.of());
    assertEquals(List.of(COMPANIES_PK), s.start(1, Set.of()));
    assertEquals(List.of(ADS_NAME), s.start(1, Set.of()));
    assertEquals(List.of(ADS_URL), s.waiting());
  }

  @Test
  void statementsDoneByAnEarlierRunAreNotIssuedAndCountAsFinished() {
    PostDataScheduler s = new PostDataScheduler(List.of(COMPANIES_PK, ADS_FK),
        Set.of(COMPANIES_PK.statement().sql()));
    assertEquals(1, s.skipped());
    assertEquals(List.of(ADS_FK), s.start(4, Set.of()));
  }

  @Test
  void aPrerequisiteMustBePlanned() {
    assertThrows(IllegalArgumentException.class, () -> new PostDataScheduler(List.of(ADS_FK), Set.of()));
  }

  private static PostDataTask task(Step step, String name, Set<TableName> tables) {
    return new PostDataTask(statement(step, name), tables, Set.of());
  }

  private static DdlStatement statement(Step step, String name) {
    return new DdlStatement(step, name, step.label() + " " + name);
  }
}
