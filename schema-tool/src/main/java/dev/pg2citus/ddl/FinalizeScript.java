package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finalize (post-data) as one ordered description, which {@code plan} prints and finalize runs:
 *
 * <ol>
 *   <li>{@link #sourceNamesBack()}: on a run again after one that renamed, its renames undone, so the
 *       statements below find the tables under the source names they are written with (each is
 *       skipped unless that rename is in effect, so a first finalize issues none of them);
 *   <li>{@link #tableWork()}: primary keys, unique and exclusion constraints, indexes, foreign keys,
 *       checks and ANALYZE, per table ({@link PostDataPlan}), several at once, each as soon as what
 *       it waits for is done;
 *   <li>{@link #afterTableWork}: sequence values from the source at that moment, then the objects
 *       after the load (materialized views, comments on keys and indexes, triggers, rules,
 *       row-level security, grants, owners, default privileges), the renames, and the
 *       {@code after-load} scripts.
 * </ol>
 */
public final class FinalizeScript {
  private final SchemaScripts scripts;

  FinalizeScript(SchemaScripts scripts) {
    this.scripts = scripts;
  }

  /** Run first, before any table work; empty unless this run creates the schema and renames. */
  public List<DdlStatement> sourceNamesBack() {
    return scripts.sourceNamesBack();
  }

  /** The work per table, in the order a serial run issues it. */
  public List<PostDataTask> tableWork() {
    return scripts.postData().tasks();
  }

  /** What runs once every table's work is done, with the sequences at {@code lastValues}. */
  public List<DdlStatement> afterTableWork(Map<TableName, Long> lastValues) {
    List<DdlStatement> out = new ArrayList<>(scripts.postData().sequenceValues(lastValues));
    out.addAll(scripts.afterLoad());
    return out;
  }

  /**
   * Every statement a finalize issues, in the order one worker issues them, with the sequences at
   * {@code lastValues}: the table work, then what follows it.
   */
  public List<DdlStatement> statements(Map<TableName, Long> lastValues) {
    List<DdlStatement> out = new ArrayList<>(tableWork().stream().map(PostDataTask::statement).toList());
    out.addAll(afterTableWork(lastValues));
    return out;
  }
}
