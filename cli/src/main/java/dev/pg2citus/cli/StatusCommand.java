package dev.pg2citus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.runrecord.RunStatus;
import dev.pg2citus.runrecord.RunStep;
import dev.pg2citus.runrecord.RunStatus.TableStatus;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where the run on a target stands, from its run record and the target's sessions: while it runs
 * (from another terminal or machine), or after it ended or was killed. Reads the target only.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show where the migration into a target stands: phase, whether a run is going, per-table "
        + "partitions and rows, rows/s and ETA of the data phase, retries, rejected rows, post-data statements "
        + "done and running. Reads the target only (--target URL, or the configuration's target.url).")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions options;

  @Option(names = "--json", description = "Print the status as JSON, for scripts.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ConnectionSpec target = options.targetOnly();
    try (Connection c = target.open()) {
      Optional<RunStatus> status = RunStatus.read(c);
      RunStatus.Live live = RunStatus.Live.read(c);
      if (json) {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(asJson(target, status, live)));
      } else {
        render(target, status, live, out);
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void render(ConnectionSpec target, Optional<RunStatus> recorded, RunStatus.Live live,
      PrintWriter out) {
    if (recorded.isEmpty()) {
      out.println("no pg2citus run is recorded on " + target + live.run().map(r -> "; running now: " + r).orElse(""));
      return;
    }
    RunStatus s = recorded.get();
    out.println("run on " + target + ": " + state(s, live));
    if (s.startedAt() != null) {
      out.println("started " + s.startedAt() + ", " + duration(Duration.between(s.startedAt(), s.now())) + " ago");
    }
    if (!s.tables().isEmpty()) {
      long expected = s.rowsExpected();
      out.printf("rows: %,d of ~%,d (%d%%)%s%s%n", s.rowsWritten(), expected,
          expected == 0 ? 100 : Math.min(100, s.rowsWritten() * 100 / expected),
          s.rowsPerSecond().map(r -> String.format(", %,.0f rows/s", r)).orElse(""),
          s.dataEta().map(eta -> ", data phase ends in ~" + duration(eta)).orElse(""));
      String format = "%-40s %10s %15s %15s %10s %9s%n";
      out.printf(format, "table", "partitions", "rows", "of ~", "bytes", "rejected");
      for (TableStatus t : s.tables()) {
        out.printf(format, t.table(), t.partitionsDone() + "/" + t.partitions(), String.format("%,d", t.rowsWritten()),
            String.format("%,d", t.done() ? t.rowsWritten() : t.estimatedRows()), MigrationSummary.bytes(t.bytes()),
            String.format("%,d", t.rowsRejected()));
      }
    }
    out.println("post-data statements done: " + s.postDataDone()
        + (s.lastPostData() == null ? "" : " (the last " + duration(Duration.between(s.lastPostData(), s.now()))
            + " ago)"));
    live.statements().forEach(st -> out.println("running: " + st));
    out.println("rejected rows: " + s.rejectedRows() + (s.rejectedRows() == 0 ? "" : " (the reject files are"
        + " written at the end of the data phase)"));
    if (s.retries().isEmpty()) {
      out.println("retries: none");
    } else {
      out.println("retries:");
      s.retries().forEach(r -> out.println("  " + r));
    }
  }

  /** Running, stopped or finished, and what to do about a stopped run. */
  private static String state(RunStatus s, RunStatus.Live live) {
    if (s.finished()) {
      return "finished (verified at " + s.steps().get(RunStep.VERIFIED) + ")";
    }
    return live.run().map(r -> s.phase() + " phase, running: " + r)
        .orElse("stopped in the " + s.phase() + " phase, no run is going: `pg2citus migrate --resume` with the"
            + " same configuration continues it");
  }

  private static Map<String, Object> asJson(ConnectionSpec target, Optional<RunStatus> recorded,
      RunStatus.Live live) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("target", target.toString());
    json.put("recorded", recorded.isPresent());
    json.put("running", live.run().isPresent());
    json.put("runningAs", live.run().orElse(null));
    json.put("statementsRunning", live.statements());
    recorded.ifPresent(s -> {
      json.put("phase", s.phase());
      json.put("finished", s.finished());
      json.put("now", s.now().toString());
      json.put("startedAt", s.startedAt() == null ? null : s.startedAt().toString());
      Map<String, String> steps = new LinkedHashMap<>();
      s.steps().forEach((step, at) -> steps.put(step.name().toLowerCase(Locale.ROOT), at.toString()));
      json.put("stepsDone", steps);
      json.put("rowsWritten", s.rowsWritten());
      json.put("rowsExpected", s.rowsExpected());
      json.put("rowsPerSecond", s.rowsPerSecond().map(Math::round).orElse(null));
      json.put("dataEtaSeconds", s.dataEta().map(Duration::toSeconds).orElse(null));
      json.put("tables", s.tables());
      json.put("postDataDone", s.postDataDone());
      json.put("rejectedRows", s.rejectedRows());
      json.put("retries", s.retries());
    });
    return json;
  }

  /** 1h02m, 3m05s, 12s. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
