package dev.pg2citus.ddl;

import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs finalize (post-data) as {@link FinalizeScript} orders it, alone or beside a load: the
 * renames of an earlier run undone first, the table work on {@code load.index-workers} connections
 * ({@link PostDataRun}), then, once the load is complete, the sequences at the source's values and
 * the rest, one by one. Reports it as the finalize phase, with notes on what was skipped and why.
 */
final class FinalizePhase {
  private final MigrationConfig config;
  private final TargetSchema target;
  private final FinalizeScript script;
  /** The subjects of statements that failed, create's included: what needs one is not issued. */
  private final Set<String> failed;

  FinalizePhase(MigrationConfig config, TargetSchema target, FinalizeScript script, Set<String> failed) {
    this.config = config;
    this.target = target;
    this.script = script;
    this.failed = failed;
  }

  /** On tables loaded already: every statement, no record kept. */
  PhaseReport alone() throws SQLException {
    putSourceNamesBack();
    try (PostDataRun run = PostDataRun.afterLoad(config.target(), OutageWait.of(config),
        config.load().indexWorkers(), script.tableWork())) {
      return finish(run);
    }
  }

  /** Beside a load: a table's work starts once {@code loading} no longer lists it, each statement recorded. */
  PostDataRun besideLoad(PostDataRun.Loading loading, PostDataRecord record) throws SQLException {
    putSourceNamesBack();
    return PostDataRun.besideLoad(config.target(), OutageWait.of(config), config.load().indexWorkers(),
        script.tableWork(), loading, record);
  }

  /** Waits for the table work; unless its load failed, runs what follows it. */
  PhaseReport finish(PostDataRun run) throws SQLException {
    PostDataRun.Result result = run.await();
    PhaseReport report = new PhaseReport("finalize");
    result.outcomes().forEach((s, o) -> {
      if (o.causedBy() != null) {
        report.note(o.causedByNote(s));
      } else {
        report.record(s.step().label(), o.millis(), o.error());
      }
      if (o.error() != null && s.step().creates()) {
        failed.add(s.subject()); // what needs it after the load (a comment on it) is not issued
      }
    });
    if (result.complete()) {
      Map<TableName, Long> lastValues; // read now: the source may have moved on since the catalog was read
      try (Connection source = config.source().open()) {
        lastValues = new CatalogReader(source).lastValues(target.catalog().sequences());
      }
      List<DdlStatement> last = script.afterTableWork(lastValues);
      if (!last.isEmpty()) {
        try (Connection connection = config.target().open()) {
          DdlExecutor.run(connection, last, report, failed);
        }
      }
    } else {
      report.note("the data phase failed: " + result.notStarted() + " post-data statements were not started;"
          + " --resume runs them");
    }
    note(report, result);
    return report;
  }

  /** What the summary says besides the statements: what was not issued again, and why; how to finish. */
  private void note(PhaseReport report, PostDataRun.Result result) {
    if (result.skipped() > 0) {
      report.note(result.skipped() + " post-data statements done by the earlier run were not issued again");
    }
    long found = result.outcomes().values().stream().filter(DdlExecutor.Outcome::foundInEffect).count();
    if (found > 0) {
      report.note(found + " keys, indexes and constraints were on the target already (by name), not issued again");
    }
    if (result.besideLoad()) {
      report.note(result.duringLoad() + " of " + report.statements() + " statements ran during the data phase");
    }
    if (!config.load().analyze()) {
      report.note("ANALYZE left to autovacuum (load.analyze: false)");
    }
    if (!target.names().isEmpty() && !config.load().createsTables()) {
      report.note("rename rules not applied: a run that creates no tables (data-only, create-tables: false) leaves"
          + " the names as they stand on the target; the run that creates the tables renames them");
    } else if (!target.names().isEmpty() && result.complete() && report.errors().isEmpty()) {
      report.note("renamed last: " + target.names().tables().size() + " tables (the summary names them as the"
          + " source does; the plan lists each rename) and " + target.names().moves().size() + " other objects");
    }
    if (!report.errors().isEmpty()) {
      report.note(report.errors().size() + " finalize statements failed, so those keys, indexes or objects are missing"
          + " on the target (each error names it): fix the cause, then run `pg2citus finalize` with the same"
          + " configuration, or `pg2citus migrate --resume`; what is in place already is recognised and skipped");
    }
  }

  /**
   * A finalize run again after one that renamed starts by undoing its renames: its statements name
   * the tables as the source does. A rename that cannot be undone stops finalize before it starts.
   */
  private void putSourceNamesBack() throws SQLException {
    List<DdlStatement> back = script.sourceNamesBack();
    if (back.isEmpty()) {
      return;
    }
    PhaseReport report = new PhaseReport("finalize");
    try (Connection connection = config.target().open()) {
      DdlExecutor.run(connection, back, report);
    }
    if (!report.errors().isEmpty()) {
      throw new SQLException("finalize cannot put the source names back before it runs again: "
          + String.join("; ", report.errors()));
    }
  }
}
