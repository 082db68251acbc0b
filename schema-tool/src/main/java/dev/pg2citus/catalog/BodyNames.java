package dev.pg2citus.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names a routine body kept as text may use. PostgreSQL records no dependency for such a body
 * (plpgsql, or SQL written as a string), so a table it names is found by the words of its text: an
 * unquoted word folds to lower case, a double-quoted one is kept as written. Conservative: a
 * column, variable or string that spells a table's name counts too.
 */
final class BodyNames {
  private BodyNames() {}

  /** The first of {@code tables} whose name {@code body} spells, or null (also for no body). */
  static TableName firstNamed(String body, List<TableName> tables) {
    if (body == null || tables.isEmpty()) {
      return null;
    }
    Set<String> words = words(body);
    return tables.stream().filter(t -> words.contains(t.name())).findFirst().orElse(null);
  }

  /** Every identifier of {@code text}, as PostgreSQL would read it. */
  static Set<String> words(String text) {
    Set<String> words = new HashSet<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"') {
        StringBuilder quoted = new StringBuilder();
        i++;
        while (i < text.length()) {
          if (text.charAt(i) == '"') {
            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
              quoted.append('"');
              i += 2;
              continue;
            }
            break;
          }
          quoted.append(text.charAt(i++));
        }
        words.add(quoted.toString());
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
            || text.charAt(i) == '$')) {
          i++;
        }
        words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
      } else {
        i++;
      }
    }
    return words;
  }
}
