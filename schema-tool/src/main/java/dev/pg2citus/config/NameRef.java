package dev.pg2citus.config;

import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A name written in the configuration the way SQL reads it: unquoted parts fold to lower case,
 * double-quoted parts keep their case, spaces and quotes ({@code "My ""odd"" table"}), and a dot
 * separates the parts ({@code sales."Orders"}).
 *
 * @param parts the parts, unquoted and exact
 */
public record NameRef(List<String> parts) {
  public NameRef {
    parts = List.copyOf(parts);
  }

  /** Parses {@code text} into at most {@code maxParts} parts; {@code what} names it in errors. */
  public static NameRef parse(String text, int maxParts, String what) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    String s = text.strip();
    while (true) {
      StringBuilder part = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= s.length()) {
            throw new IllegalArgumentException(what + " '" + text + "' has an unclosed double quote");
          }
          char c = s.charAt(i++);
          if (c == '"') {
            if (i < s.length() && s.charAt(i) == '"') {
              part.append('"');
              i++;
            } else {
              break;
            }
          } else {
            part.append(c);
          }
        }
      } else {
        while (i < s.length() && s.charAt(i) != '.') {
          part.append(s.charAt(i++));
        }
        String bare = part.toString().strip();
        if (bare.isEmpty() || bare.contains(" ") || bare.contains("\"")) {
          throw new IllegalArgumentException(what + " '" + text + "' is not a valid name"
              + " (write names with spaces, quotes or capitals in double quotes)");
        }
        part = new StringBuilder(bare.toLowerCase(Locale.ROOT));
      }
      parts.add(part.toString());
      if (i >= s.length()) {
        break;
      }
      if (s.charAt(i) != '.') {
        throw new IllegalArgumentException(what + " '" + text + "' is not a valid name");
      }
      i++;
    }
    if (parts.size() > maxParts) {
      throw new IllegalArgumentException(what + " '" + text + "' has too many dotted parts");
    }
    return new NameRef(parts);
  }

  /** The last part: the table name of {@code schema.table}. */
  public String name() {
    return parts.get(parts.size() - 1);
  }

  /** The schema of {@code schema.table}, unquoted; null when the name is unqualified. */
  public String schema() {
    return parts.size() == 1 ? null : parts.get(parts.size() - 2);
  }

  /** A name part as a rule writes it: double-quoted unless it reads back as itself unquoted. */
  public static String spell(String part) {
    return part.matches("[a-z_][a-z0-9_$]*") ? part : Sql.ident(part);
  }

  /** The name as a rule writes it, so messages can be pasted back into the configuration. */
  @Override
  public String toString() {
    return String.join(".", parts.stream().map(NameRef::spell).toList());
  }
}
