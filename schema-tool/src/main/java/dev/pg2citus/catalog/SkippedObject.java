package dev.pg2citus.catalog;

/**
 * A source object the target does not get, and why: the plan and the summary list each one, so
 * nothing is left behind silently.
 *
 * @param kind what it is ("aggregate", "rule", "policy"…)
 * @param name its qualified name
 * @param reason why it is not carried, and what to do about it
 */
public record SkippedObject(String kind, String name, String reason) {
  @Override
  public String toString() {
    return kind + " " + name + ": " + reason;
  }
}
