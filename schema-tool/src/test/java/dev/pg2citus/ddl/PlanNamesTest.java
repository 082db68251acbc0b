package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.sql.Sql;
import dev.pg2citus.testing.TestPostgres;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The plan a DBA reads names every table as SQL takes it: quoted where quote_ident would quote, a
 * newline escaped so each table keeps one line, and each name, pasted into a query on the source,
 * finds its table.
 */
class PlanNamesTest {
  /** A schema named {@code "abc"}, quotes included, as SQL writes it. */
  private static final String ABC = "\"\"\"abc\"\"\"";
  /**
   * Hostile names, each table holding as many rows as its number, so a query tells them apart; ABC
   * and DQNAME stand for a schema and a table whose names hold double quotes.
   */
  private static final String SOURCE = """
      CREATE SCHEMA ABC;
      CREATE TABLE public.DQNAME (id int PRIMARY KEY);
      CREATE TABLE ABC.job ("Job Id" int PRIMARY KEY, dq int REFERENCES public.DQNAME (id));
      CREATE TABLE public."Sp1eCial .Char.Tabl e.1testing" (id int, "order" int REFERENCES ABC.job ("Job Id"));
      CREATE TABLE public."new
      line" (id int);
      CREATE TABLE public."user" (id int);
      CREATE TABLE public."back\\slash" (id int);
      INSERT INTO public.DQNAME SELECT generate_series(1, 1);
      INSERT INTO ABC.job SELECT g, 1 FROM generate_series(1, 2) g;
      INSERT INTO public."Sp1eCial .Char.Tabl e.1testing" SELECT g, 1 FROM generate_series(1, 3) g;
      INSERT INTO public."new
      line" SELECT generate_series(1, 4);
      INSERT INTO public."user" SELECT generate_series(1, 5);
      INSERT INTO public."back\\slash" SELECT generate_series(1, 6);
      """.replace("ABC", ABC).replace("DQNAME", "\"\"\"dqname\"\"\"");

  @Test
  void everyPrintedTableNameIsAnIdentifierThatFindsItsTable() throws SQLException {
    String src = TestPostgres.freshDatabase("names_src");
    TestPostgres.execute(src, SOURCE);
    String plan = SchemaTool.load(TestConfigs.onTestPostgres(src, src, """
        distribute:
          - 'ABC.job using "Job Id"'
        citus:
          auto-reference-tables: true
        """.replace("ABC", ABC))).target().plan().render();

    Map<Long, String> printed = new TreeMap<>();
    boolean tables = false;
    for (String line : plan.split("\n")) {
      if (line.startsWith("  ") && !line.startsWith("   ")) { // a section: tables, or keys and warnings
        tables = line.startsWith("  colocation group of ") || line.equals("  reference tables")
            || line.equals("  local tables");
      } else if (tables && line.startsWith("    ") && !line.startsWith("     ")) { // a table, not its backfill
        String name = qualifiedName(line.substring(4));
        printed.put(TestPostgres.scalar(src, "SELECT count(*) FROM " + name), name);
      }
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), new ArrayList<>(printed.keySet()), plan);
    assertEquals("public.\"\"\"dqname\"\"\"", printed.get(1L), plan);
    assertEquals("\"\"\"abc\"\"\".job", printed.get(2L), plan);
    assertEquals("public.\"Sp1eCial .Char.Tabl e.1testing\"", printed.get(3L), plan);
    assertEquals("public.U&\"new\\000Aline\"", printed.get(4L), plan);
    assertEquals("public.\"user\"", printed.get(5L), plan);
    assertEquals("public.\"back\\slash\"", printed.get(6L), plan);
    assertTrue(plan.contains("distributed on \"Job Id\""), plan);
    assertTrue(plan.contains("discovered: \"Sp1eCial .Char.Tabl e.1testing\"(\"order\") → job(\"Job Id\")"), plan);
    assertEquals("U&\"tab\\0009\\\\\"\"\"", Sql.display("tab\t\\\""), "a backslash and a quote in an escaped name");
  }

  /** The schema-qualified name at the start of {@code text}: two identifiers, bare, quoted or U&-quoted. */
  private static String qualifiedName(String text) {
    int schemaEnd = identifierEnd(text, 0);
    assertEquals('.', text.charAt(schemaEnd), text);
    return text.substring(0, identifierEnd(text, schemaEnd + 1));
  }

  private static int identifierEnd(String text, int start) {
    int i = text.startsWith("U&\"", start) ? start + 2 : start;
    if (text.charAt(i) != '"') {
      while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
        i++;
      }
      return i;
    }
    for (i++; ; i++) {
      if (text.charAt(i) == '"') {
        if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
          i++;
        } else {
          return i + 1;
        }
      }
    }
  }
}
