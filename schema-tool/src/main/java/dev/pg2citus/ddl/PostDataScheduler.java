package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which post-data tasks may start: those whose tables are all loaded, whose prerequisites
 * have finished (done or failed: a foreign key waits for every key of its referenced table and runs
 * when one failed, which the run then puts down to it; ANALYZE runs after failed indexes too), and
 * whose tables no running task holds. Holding tables here
 * rather than waiting for PostgreSQL's locks keeps a connection from idling behind another and
 * rules out deadlocks between two foreign keys that point at each other's tables.
 *
 * <p>One thread drives it; it does not run anything itself.
 */
final class PostDataScheduler {
  private final List<PostDataTask> waiting;
  private final Set<DdlStatement> finished = new HashSet<>();
  private final Map<TableName, Integer> sharedBy = new HashMap<>();
  private final Set<TableName> exclusive = new HashSet<>();
  private final int skipped;
  private int running;

  /**
   * {@code tasks} in order of preference, each prerequisite among them; those whose SQL is in
   * {@code alreadyDone} count as finished.
   */
  PostDataScheduler(List<PostDataTask> tasks, Set<String> alreadyDone) {
    Set<DdlStatement> planned = new HashSet<>();
    tasks.forEach(t -> planned.add(t.statement()));
    waiting = new ArrayList<>();
    for (PostDataTask t : tasks) {
      if (!planned.containsAll(t.after())) {
        throw new IllegalArgumentException(t.statement().subject() + " waits for a statement that is not planned");
      }
      if (alreadyDone.contains(t.statement().sql())) {
        finished.add(t.statement());
      } else {
        waiting.add(t);
      }
    }
    skipped = finished.size();
  }

  /** Takes up to {@code max} tasks that may start now, first in order first, and holds their tables. */
  List<PostDataTask> start(int max, Set<TableName> stillLoading) {
    List<PostDataTask> started = new ArrayList<>();
    for (int i = 0; i < waiting.size() && started.size() < max; i++) {
      PostDataTask t = waiting.get(i);
      if (Collections.disjoint(t.tables(), stillLoading) && finished.containsAll(t.after()) && free(t)) {
        hold(t);
        started.add(t);
        waiting.remove(i--);
      }
    }
    running += started.size();
    return started;
  }

  /** Releases a started task's tables, and lets what waits for it start. */
  void finished(PostDataTask t) {
    for (TableName table : t.tables()) {
      if (t.sharesTables()) {
        sharedBy.merge(table, -1, (a, b) -> a + b == 0 ? null : a + b);
      } else {
        exclusive.remove(table);
      }
    }
    finished.add(t.statement());
    running--;
  }

  private boolean free(PostDataTask t) {
    for (TableName table : t.tables()) {
      if (exclusive.contains(table) || (!t.sharesTables() && sharedBy.containsKey(table))) {
        return false;
      }
    }
    return true;
  }

  private void hold(PostDataTask t) {
    for (TableName table : t.tables()) {
      if (t.sharesTables()) {
        sharedBy.merge(table, 1, Integer::sum);
      } else {
        exclusive.add(table);
      }
    }
  }

  int running() {
    return running;
  }

  /** The tasks not started yet. */
  List<PostDataTask> waiting() {
    return List.copyOf(waiting);
  }

  /** How many tasks were done already, by an earlier run. */
  int skipped() {
    return skipped;
  }

  boolean allFinished() {
    return waiting.isEmpty() && running == 0;
  }
}
