package dev.pg2citus.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one phase did, step by step, and the errors it met. Built while the phase runs with
 * {@link #record}; printed with {@link #render()} in the manner of pgloader's summary.
 */
public final class PhaseReport {
  private final String phase;
  private final Map<String, StepSummary> steps = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public PhaseReport(String phase) {
    this.phase = phase;
  }

  /** Counts one statement of {@code step}; {@code error} is null when it succeeded. */
  public void record(String step, long millis, String error) {
    steps.merge(step, new StepSummary(step, 1, error == null ? 0 : 1, millis),
        (a, b) -> a.plus(error != null, millis));
    if (error != null) {
      errors.add(error);
    }
  }

  /** A fact the summary should show that is not a statement, e.g. that distribution was skipped. */
  public void note(String note) {
    notes.add(note);
  }

  /** Records a failure that stopped the phase before or between statements. */
  public void fail(String error) {
    errors.add(error);
  }

  public String phase() {
    return phase;
  }

  public List<StepSummary> steps() {
    return List.copyOf(steps.values());
  }

  public List<String> errors() {
    return List.copyOf(errors);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  public boolean failed() {
    return !errors.isEmpty();
  }

  public int statements() {
    return steps.values().stream().mapToInt(StepSummary::statements).sum();
  }

  /**
   * The phase in one line, for the default log: {@code create: 33 statements in 0.481s, 0 errors
   * (drop 10, tables 5, …)}, and how many notes the summary holds; {@code millis} is its time.
   */
  public String line(long millis) {
    String bySteps = steps.values().stream().map(s -> s.step() + " " + s.statements())
        .collect(Collectors.joining(", "));
    return phase + ": " + statements() + " statements in " + seconds(millis) + ", " + errors.size() + " errors"
        + (bySteps.isEmpty() ? "" : " (" + bySteps + ")") + (notes.isEmpty() ? "" : "; " + notes.size()
        + (notes.size() == 1 ? " note" : " notes") + " in the summary");
  }

  public String render() {
    String format = "%-24s %10s %7s %10s%n";
    String rule = String.format(format, "-".repeat(24), "-".repeat(10), "-".repeat(7), "-".repeat(10));
    StringBuilder out = new StringBuilder();
    out.append(String.format(format, phase, "statements", "errors", "time")).append(rule);
    long totalMillis = 0;
    int totalErrors = 0;
    for (StepSummary s : steps.values()) {
      out.append(String.format(format, s.step(), s.statements(), s.errors(), seconds(s.millis())));
      totalMillis += s.millis();
      totalErrors += s.errors();
    }
    out.append(rule).append(String.format(format, "total", statements(), totalErrors, seconds(totalMillis)));
    notes.forEach(n -> out.append("note: ").append(n).append('\n'));
    errors.forEach(e -> out.append("error: ").append(e).append('\n'));
    return out.toString();
  }

  private static String seconds(long millis) {
    return String.format("%.3fs", millis / 1000.0);
  }
}
