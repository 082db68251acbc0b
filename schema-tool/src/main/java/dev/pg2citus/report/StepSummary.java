package dev.pg2citus.report;

/** Counts for one step of a phase: statements run, how many failed, and the time they took. */
public record StepSummary(String step, int statements, int errors, long millis) {
  StepSummary plus(boolean failed, long elapsedMillis) {
    return new StepSummary(step, statements + 1, errors + (failed ? 1 : 0), millis + elapsedMillis);
  }
}
