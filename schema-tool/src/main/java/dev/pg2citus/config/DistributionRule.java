package dev.pg2citus.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code distribute} rule, as pgloader writes it:
 *
 * <pre>
 * companies using id                          -- distributed on id
 * ads using company_id from campaigns         -- company_id is added to ads, backfilled along ads → campaigns
 * clicks using company_id from ads, campaigns -- …along clicks → ads → campaigns
 * countries as reference table                -- copied to every node
 * </pre>
 *
 * @param table the table the rule is about
 * @param column the distribution column, or null for a reference table
 * @param from the foreign-key path that brings the column, nearest table first; empty when the
 *     table has the column itself
 * @param location where the rule was written
 */
public record DistributionRule(NameRef table, String column, List<NameRef> from, ConfigLocation location) {
  private static final Pattern REFERENCE = Pattern.compile("(?is)\\s*(.+?)\\s+as\\s+reference(\\s+table)?\\s*");
  private static final Pattern USING =
      Pattern.compile("(?is)\\s*(.+?)\\s+using\\s+(.+?)(\\s+from\\s+(.+?))?\\s*");

  public DistributionRule {
    from = List.copyOf(from);
  }

  public boolean isReference() {
    return column == null;
  }

  /** Parses the text form; errors name {@code location}. */
  public static DistributionRule parse(String text, ConfigLocation location) {
    try {
      Matcher ref = REFERENCE.matcher(text);
      if (ref.matches()) {
        return new DistributionRule(NameRef.parse(ref.group(1), 2, "table"), null, List.of(), location);
      }
      Matcher using = USING.matcher(text);
      if (using.matches()) {
        List<NameRef> path = new ArrayList<>();
        if (using.group(4) != null) {
          for (String hop : using.group(4).split(",")) {
            path.add(NameRef.parse(hop, 2, "table"));
          }
        }
        String column = NameRef.parse(using.group(2), 1, "column").name();
        return new DistributionRule(NameRef.parse(using.group(1), 2, "table"), column, path, location);
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(location, "rule '" + text.strip() + "': " + e.getMessage());
    }
    throw new ConfigException(location, "rule '" + text.strip() + "' is not one of: "
        + "'<table> using <column>', '<table> using <column> from <table>[, <table>…]', "
        + "'<table> as reference table'");
  }

  /** The rule in its text form, for plans and messages. */
  @Override
  public String toString() {
    if (isReference()) {
      return table + " as reference table";
    }
    String path = from.isEmpty() ? "" : " from " + String.join(", ", from.stream().map(NameRef::toString).toList());
    return table + " using " + column + path;
  }
}
