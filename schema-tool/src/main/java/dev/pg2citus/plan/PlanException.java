package dev.pg2citus.plan;

import java.util.List;

/**
 * The rules, the source schema or the source rows do not give a distribution Citus can hold; the
 * message lists every problem found, each with what to write or do. Thrown before anything is
 * written.
 */
public final class PlanException extends RuntimeException {
  private final List<String> problems;

  public PlanException(String problem) {
    this(List.of(problem));
  }

  public PlanException(List<String> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem on its own, in the order found. */
  public List<String> problems() {
    return problems;
  }

  private static String render(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder text = new StringBuilder(problems.size() + " problems, all to be solved before anything is written:");
    for (int i = 0; i < problems.size(); i++) {
      text.append("\n").append(i + 1).append(". ").append(problems.get(i).replace("\n", "\n   "));
    }
    return text.toString();
  }
}
