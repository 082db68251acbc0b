package dev.pg2citus.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The end-of-run report: each phase's time and errors, and per table the rows of the source
 * snapshot, read, written and rejected, bytes and time, with the check that source = target +
 * rejects. Printed like pgloader's summary, and written as JSON.
 */
public final class MigrationSummary {
  /** The outcome of a comparison that is made only when asked for. */
  public enum Check { NOT_CHECKED, MATCH, DIFFER }

  /**
   * One table's figures.
   *
   * @param checksums whether both sides' content checksums agree, when they were computed
   * @param backfillMismatches target rows whose added distribution column differs from the row they
   *     reference; empty when not checked
   */
  public record TableRow(String table, long sourceRows, long rowsRead, long rowsWritten, long rowsRejected,
      long targetRows, long bytes, long millis, Check checksums, OptionalLong backfillMismatches) {

    /** Source = written + rejected, the target holds exactly what was written, and checksums agree. */
    public boolean consistent() {
      return sourceRows == rowsWritten + rowsRejected && targetRows == rowsWritten
          && checksums != Check.DIFFER && backfillMismatches.orElse(0) == 0;
    }

    String check() {
      if (sourceRows != rowsWritten + rowsRejected || targetRows != rowsWritten) {
        return "MISMATCH (target " + targetRows + ")";
      }
      if (backfillMismatches.orElse(0) > 0) {
        return "DISTRIBUTION VALUE DIFFERS IN " + backfillMismatches.getAsLong() + " ROWS";
      }
      return switch (checksums) {
        case NOT_CHECKED -> "counts ok";
        case MATCH -> "counts and checksum ok";
        case DIFFER -> "CHECKSUM DIFFERS";
      };
    }
  }

  /**
   * One phase: its name, time, when it ended (epoch milliseconds: a benchmark lines it up with the
   * servers' CPU), and its errors.
   */
  public record Phase(String name, long millis, long endedAt, List<String> errors, List<String> notes) {}

  /**
   * How a run ended, as the closing line and the JSON's {@code outcome} say (the command's exit code
   * follows it).
   */
  public enum Outcome {
    /** Every source row is in the target, nothing failed. */
    COMPLETE,
    /** Nothing failed and every row is accounted for, but some rows are in the reject files instead of the target. */
    ROWS_REJECTED,
    /** A phase failed or the target does not hold what was written: see the errors. */
    NOT_COMPLETE
  }

  private final List<Phase> phases = new ArrayList<>();
  private final List<TableRow> tables = new ArrayList<>();
  private final List<Path> rejectFiles = new ArrayList<>();

  /** Adds a phase that has just ended, after {@code millis}. */
  public void phase(String name, long millis, List<String> errors, List<String> notes) {
    phases.add(new Phase(name, millis, System.currentTimeMillis(), List.copyOf(errors), List.copyOf(notes)));
  }

  /** Adds a schema phase from its report. */
  public void phase(PhaseReport report, long millis) {
    phase(report.phase(), millis, report.errors(), report.notes());
  }

  public void table(TableRow row) {
    tables.add(row);
  }

  /** A table's reject file, {@code <table>.dat} (its {@code .log}, with the reasons, lies beside it). */
  public void rejectFile(Path dat) {
    rejectFiles.add(dat);
  }

  public List<TableRow> tables() {
    return List.copyOf(tables);
  }

  public List<Phase> phases() {
    return List.copyOf(phases);
  }

  public long rejected() {
    return tables.stream().mapToLong(TableRow::rowsRejected).sum();
  }

  /** Whether the run is clean: no phase error, no reject, every count checks out. */
  public boolean ok() {
    return outcome() == Outcome.COMPLETE;
  }

  public Outcome outcome() {
    if (!phases.stream().allMatch(p -> p.errors().isEmpty()) || !tables.stream().allMatch(TableRow::consistent)) {
      return Outcome.NOT_COMPLETE;
    }
    return rejected() == 0 ? Outcome.COMPLETE : Outcome.ROWS_REJECTED;
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    String tableFormat = "%-32s %12s %12s %12s %9s %10s %9s  %s%n";
    out.append(String.format(tableFormat, "table", "source rows", "read", "written", "rejected", "bytes", "time",
        "check"));
    out.append("-".repeat(112)).append('\n');
    long read = 0;
    long written = 0;
    for (TableRow t : tables) {
      out.append(String.format(tableFormat, t.table(), t.sourceRows(), t.rowsRead(), t.rowsWritten(),
          t.rowsRejected(), bytes(t.bytes()), seconds(t.millis()), t.check()));
      read += t.rowsRead();
      written += t.rowsWritten();
    }
    out.append("-".repeat(112)).append('\n');
    out.append(String.format(tableFormat, "total", "", read, written, rejected(), "", "", ""));
    out.append('\n');
    String phaseFormat = "%-32s %10s %7s%n";
    out.append(String.format(phaseFormat, "phase", "time", "errors"));
    for (Phase p : phases) {
      out.append(String.format(phaseFormat, p.name(), seconds(p.millis()), p.errors().size()));
    }
    for (Phase p : phases) {
      grouped(p.notes()).forEach(n -> out.append("note: ").append(n).append('\n'));
      p.errors().forEach(e -> out.append("error (").append(p.name()).append("): ").append(e).append('\n'));
    }
    if (rejected() > 0) {
      out.append("rejected rows: ").append(rejected()).append(rejectFiles.isEmpty() ? " (see the reject files)"
          : " in " + rejectFiles.stream().map(Path::toString).collect(Collectors.joining(", "))
              + " (as COPY text; the .log beside each gives every row's reason)").append('\n');
    }
    out.append(closingLine()).append('\n');
    return out.toString();
  }

  /**
   * Notes of one kind in one line, counted, so that a schema of 500 tables does not print 500 alike
   * ({@code plan: key rewritten: 7, e.g. …}); the JSON keeps every one. A kind is what comes before
   * the first {@code ": "}, the second for the plan's notes; a kind noted once or twice stays as it is.
   */
  static List<String> grouped(List<String> notes) {
    Map<String, List<String>> byKind = new LinkedHashMap<>();
    for (String n : notes) {
      int colon = n.indexOf(": ");
      if (colon > 0 && n.startsWith("plan: ") && n.indexOf(": ", colon + 2) > 0) {
        colon = n.indexOf(": ", colon + 2);
      }
      byKind.computeIfAbsent(colon > 0 ? n.substring(0, colon) : n, k -> new ArrayList<>()).add(n);
    }
    List<String> out = new ArrayList<>();
    byKind.forEach((kind, alike) -> {
      if (alike.size() <= 2) {
        out.addAll(alike);
      } else {
        out.add(kind + ": " + alike.size() + " (each in the JSON summary and with --verbose), e.g. "
            + alike.get(0).substring(kind.length() + 2));
      }
    });
    return out;
  }

  private String closingLine() {
    return switch (outcome()) {
      case COMPLETE -> "migration complete";
      case ROWS_REJECTED -> "migration complete except for " + rejected() + " rejected rows (reject files above);"
          + " exit code 4";
      case NOT_COMPLETE -> phases.stream().allMatch(p -> p.errors().isEmpty())
          ? "migration NOT complete: the target does not hold what was written (see the check column)"
          : "migration NOT complete: see the errors above";
    };
  }

  public void writeJson(Path file) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ok", ok());
    json.put("outcome", outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    json.put("rejectFiles", rejectFiles.stream().map(Path::toString).toList());
    json.put("phases", phases);
    json.put("tables", tables.stream().map(t -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("table", t.table());
      row.put("sourceRows", t.sourceRows());
      row.put("rowsRead", t.rowsRead());
      row.put("rowsWritten", t.rowsWritten());
      row.put("rowsRejected", t.rowsRejected());
      row.put("targetRows", t.targetRows());
      row.put("bytes", t.bytes());
      row.put("millis", t.millis());
      row.put("checksumsMatch", t.checksums() == Check.NOT_CHECKED ? null : t.checksums() == Check.MATCH);
      row.put("backfillMismatches", t.backfillMismatches().isPresent() ? t.backfillMismatches().getAsLong() : null);
      row.put("consistent", t.consistent());
      return row;
    }).toList());
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
  }

  /** {@code 1.234s}. */
  public static String seconds(long millis) {
    return String.format("%.3fs", millis / 1000.0);
  }

  /** A byte count as people read it: 512 B, 1.5 kB, 70.2 MB, 3.10 GB. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format("%.1f kB", n / 1024.0);
    }
    if (n < 1024L * 1024 * 1024) {
      return String.format("%.1f MB", n / 1048576.0);
    }
    return String.format("%.2f GB", n / 1073741824.0);
  }
}
