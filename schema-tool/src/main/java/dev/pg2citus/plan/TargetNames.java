package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.ObjectDefinition;
import dev.pg2citus.catalog.SchemaObject;
import dev.pg2citus.catalog.SequenceInfo;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.catalog.UserType;
import dev.pg2citus.config.Renames;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the migrated objects end on the target under the rename rules ({@link Renames}). A
 * migration creates, loads and finalizes everything under the source names, whose text the
 * source's definitions hold, and renames last: PostgreSQL then carries views, keys, defaults and
 * policies along by itself. Rules that would give two objects one name, or that need another
 * table's source name while it still has it, are refused by {@link #plan}.
 */
public final class TargetNames {
  /** No renames: every object keeps its source name. */
  public static final TargetNames NONE = new TargetNames(Renames.NONE, Map.of(), Map.of(), List.of(), List.of());

  /**
   * An object besides a table that a schema rename moves.
   *
   * @param keyword what {@code ALTER} calls it ({@code SEQUENCE}, {@code VIEW}, {@code FUNCTION}…)
   * @param name its qualified, quoted name under the source schema, with a routine's argument types
   * @param moved the same name under the target schema
   * @param exists the function that resolves the name when the object is there
   *     ({@code to_regclass}, {@code to_regtype}, {@code to_regprocedure}, {@code to_regcollation})
   * @param toSchema the schema it moves to, unquoted
   * @param fromSchema the schema it comes from, unquoted
   */
  public record Move(String keyword, String name, String moved, String exists, String toSchema,
      String fromSchema) {
    /** A function, procedure or aggregate, whose signature may name the schema's types and tables. */
    public boolean isRoutine() {
      return exists.equals("to_regprocedure");
    }
  }

  /** The schema of a default-privileges entry, as its name writes it. */
  private static final Pattern IN_SCHEMA = Pattern.compile(" IN SCHEMA (\"(?:[^\"]|\"\")*\") ON ");

  private final Renames renames;
  private final Map<TableName, TableName> tables;
  private final Map<TableName, TableName> sequences;
  private final List<Move> moves;
  private final List<String> warnings;

  private TargetNames(Renames renames, Map<TableName, TableName> tables, Map<TableName, TableName> sequences,
      List<Move> moves, List<String> warnings) {
    this.renames = renames;
    this.tables = tables;
    this.sequences = sequences;
    this.moves = moves;
    this.warnings = warnings;
  }

  /** The final names of the tables of {@code catalog}; fails with every rule that cannot be carried out. */
  public static TargetNames plan(Catalog catalog, Renames renames) {
    if (renames.isEmpty()) {
      return NONE;
    }
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<TableName, TableName> changed = new LinkedHashMap<>();
    for (Table t : catalog.tables()) {
      TableName to = renames.of(t.name());
      if (!to.equals(t.name())) {
        changed.put(t.name(), to);
      }
    }
    Map<TableName, TableName> sequences = new LinkedHashMap<>();
    for (SequenceInfo q : catalog.sequences()) {
      if (!q.identity()) {
        sequences.put(q.name(), sequenceName(catalog, renames, changed, q));
      }
    }
    List<Move> moves = moves(catalog, renames, warnings);
    clashes(catalog, changed, sequences, moves, problems);
    changed.forEach((from, to) -> {
      TableName between = new TableName(from.schema(), to.name());
      for (TableName needed : new LinkedHashSet<>(List.of(to, between))) {
        if (!needed.equals(from) && catalog.table(needed).isPresent()) {
          problems.add("rename: " + from + " would take the name " + needed + ", which " + needed + " of the source "
              + "has until it is renamed itself; rename in two migrations, or on the target afterwards");
        }
      }
    });
    for (Renames.Rule rule : renames.tables()) {
      if (catalog.tables().stream().noneMatch(t -> rule.match().matches(t.name()))) {
        warnings.add("rename rule " + rule.location() + " matches no migrated table");
      }
    }
    bodiesNaming(catalog, changed, warnings);
    if (!problems.isEmpty()) {
      throw new PlanException(problems);
    }
    return new TargetNames(renames, changed, sequences, moves, warnings);
  }

  /**
   * What a schema rename moves besides the tables, which take their indexes and owned sequences
   * along: routines first, whose signatures may name the schema's types and tables, then the rest.
   */
  private static List<Move> moves(Catalog catalog, Renames renames, List<String> warnings) {
    List<Move> moves = new ArrayList<>();
    for (SchemaObject o : catalog.objects()) {
      if (o.kind() == SchemaObject.Kind.FUNCTION || o.kind() == SchemaObject.Kind.PROCEDURE
          || o.kind() == SchemaObject.Kind.AGGREGATE) {
        move(moves, renames, o.kind().sql(), o.name(), "to_regprocedure");
      }
    }
    for (SequenceInfo s : catalog.sequences()) {
      if (!s.identity() && (s.ownerTable() == null || catalog.table(s.ownerTable()).isEmpty())) {
        move(moves, renames, "SEQUENCE", s.name().quoted(), "to_regclass");
      }
    }
    for (UserType t : catalog.types()) {
      move(moves, renames, t.kind() == UserType.Kind.DOMAIN ? "DOMAIN" : "TYPE", t.name().quoted(), "to_regtype");
    }
    catalog.collations().forEach(c -> move(moves, renames, "COLLATION", c.name().quoted(), "to_regcollation"));
    for (SchemaObject o : catalog.objects()) {
      switch (o.kind()) {
        case VIEW, MATERIALIZED_VIEW -> move(moves, renames, o.kind().sql(), o.name(), "to_regclass");
        case DEFAULT_PRIVILEGES -> {
          Matcher in = IN_SCHEMA.matcher(o.name());
          if (in.find()) {
            String schema = in.group(1).substring(1, in.group(1).length() - 1).replace("\"\"", "\"");
            if (!renames.schema(schema).equals(schema)) {
              warnings.add(o.name() + " stay with schema " + schema + ", which the target keeps: issue them IN SCHEMA "
                  + Sql.ident(renames.schema(schema)) + " on the target");
            }
          }
        }
        case OPERATOR, STATISTICS -> {
          if (!renames.schema(schemaOf(o.name())).equals(schemaOf(o.name()))) {
            warnings.add(o.kind().sql().toLowerCase(Locale.ROOT) + " " + o.name() + " stays in schema "
                + schemaOf(o.name()) + ": a schema rename moves tables, sequences, types, collations, views and"
                + " routines");
          }
        }
        default -> { }
      }
    }
    catalog.extensions().stream().filter(e -> !renames.schema(e.schema()).equals(e.schema())).forEach(e ->
        warnings.add("extension " + e.name() + " stays in schema " + e.schema() + ": extensions are not moved"));
    return moves;
  }

  /**
   * Where a sequence ends: one a carried table owns goes where the table goes (PostgreSQL moves it
   * along with ALTER TABLE … SET SCHEMA), another where its schema's rename takes it.
   */
  private static TableName sequenceName(Catalog catalog, Renames renames, Map<TableName, TableName> tables,
      SequenceInfo s) {
    if (s.ownerTable() != null && catalog.table(s.ownerTable()).isPresent()) {
      TableName owner = tables.getOrDefault(s.ownerTable(), s.ownerTable());
      return owner.schema().equals(s.ownerTable().schema()) ? s.name() : new TableName(owner.schema(), s.name().name());
    }
    return new TableName(renames.schema(s.name().schema()), s.name().name());
  }

  /**
   * Two objects of one kind of name (relations, types, routines, collations) that would end under
   * one name: a schema renamed into another that has an object of the same name, say.
   */
  private static void clashes(Catalog catalog, Map<TableName, TableName> tables, Map<TableName, TableName> sequences,
      List<Move> moves, List<String> problems) {
    Map<String, String> byFinal = new LinkedHashMap<>();
    BiConsumer<String, String> claim = (key, what) -> {
      String other = byFinal.putIfAbsent(key, what);
      if (other != null && !other.equals(what)) {
        problems.add("rename: " + other + " and " + what + " would both be " + key.substring(key.indexOf(' ') + 1)
            + " on the target; give one of them another name");
      }
    };
    catalog.tables().forEach(t -> claim.accept(key("to_regclass", tables.getOrDefault(t.name(), t.name()).quoted()),
        t.name().toString()));
    Set<String> moving = new HashSet<>();
    moves.forEach(m -> {
      moving.add(m.name());
      claim.accept(key(m.exists(), m.moved()), m.name());
    });
    sequences.forEach((from, to) -> claim.accept(key("to_regclass", to.quoted()), from.quoted()));
    List<Map.Entry<String, String>> staying = new ArrayList<>();
    catalog.types().forEach(t -> staying.add(Map.entry("to_regtype", t.name().quoted())));
    catalog.collations().forEach(c -> staying.add(Map.entry("to_regcollation", c.name().quoted())));
    for (SchemaObject o : catalog.objects()) {
      switch (o.kind()) {
        case FUNCTION, PROCEDURE, AGGREGATE -> staying.add(Map.entry("to_regprocedure", o.name()));
        case VIEW, MATERIALIZED_VIEW -> staying.add(Map.entry("to_regclass", o.name()));
        default -> { }
      }
    }
    staying.stream().filter(e -> !moving.contains(e.getValue())).forEach(e -> claim.accept(key(e.getKey(),
        e.getValue()), e.getValue()));
  }

  /** A name of {@code family}, spelled one way: simple parts unquoted, as regclass prints them. */
  private static String key(String family, String qualified) {
    return family + " " + qualified.replaceAll("\"([a-z_][a-z0-9_$]*)\"", "$1");
  }

  private static void move(List<Move> moves, Renames renames, String keyword, String name, String exists) {
    String from = schemaOf(name);
    String to = renames.schema(from);
    if (!to.equals(from)) {
      moves.add(new Move(keyword, name, Sql.ident(to) + name.substring(schemaLength(name)), exists, to, from));
    }
  }

  /** A routine's body is text: one that names a renamed table keeps naming it as it was. */
  private static void bodiesNaming(Catalog catalog, Map<TableName, TableName> tables, List<String> warnings) {
    Map<TableName, Pattern> words = new LinkedHashMap<>();
    tables.keySet().forEach(t -> words.put(t,
        Pattern.compile("(?<!\\w)" + Pattern.quote(t.name().toLowerCase(Locale.ROOT)) + "(?!\\w)")));
    for (SchemaObject o : catalog.objects()) {
      if (!(o.definition() instanceof ObjectDefinition.Routine routine)) {
        continue;
      }
      // The string body after AS; a BEGIN ATOMIC body is parsed, so PostgreSQL renames in it itself.
      int as = routine.definition().indexOf("\nAS ");
      if (as < 0) {
        continue;
      }
      String body = routine.definition().substring(as).toLowerCase(Locale.ROOT);
      List<String> named = new ArrayList<>();
      words.forEach((from, word) -> {
        if (word.matcher(body).find()) {
          named.add(from.name() + " (to be " + tables.get(from) + ")");
        }
      });
      if (!named.isEmpty()) {
        warnings.add(o.kind().sql().toLowerCase(Locale.ROOT) + " " + o.name() + " names " + String.join(", ", named)
            + " in its body, which is carried as written: edit it on the target after the rename");
      }
    }
  }

  /** The schema of a qualified, quoted or bare name ({@code "My schema".f(integer)}), unquoted. */
  static String schemaOf(String qualified) {
    String part = qualified.substring(0, schemaLength(qualified));
    return part.startsWith("\"") ? part.substring(1, part.length() - 1).replace("\"\"", "\"") : part;
  }

  private static int schemaLength(String qualified) {
    if (!qualified.startsWith("\"")) {
      return qualified.indexOf('.');
    }
    int i = 1;
    while (true) {
      int quote = qualified.indexOf('"', i);
      if (quote + 1 < qualified.length() && qualified.charAt(quote + 1) == '"') {
        i = quote + 2;
      } else {
        return quote + 1;
      }
    }
  }

  public boolean isEmpty() {
    return tables.isEmpty() && moves.isEmpty();
  }

  /** The name {@code table} has once finalize has renamed it. */
  public TableName of(TableName table) {
    return tables.getOrDefault(table, table);
  }

  /** The name (non-identity) sequence {@code s} has once finalize has renamed. */
  public TableName of(SequenceInfo s) {
    return sequences.getOrDefault(s.name(), s.name());
  }

  /** The tables whose name changes, source → target, in catalog order. */
  public Map<TableName, TableName> tables() {
    return tables;
  }

  /** The other objects a schema rename moves. */
  public List<Move> moves() {
    return moves;
  }

  /** Schemas the target needs for the renames. */
  public Set<String> schemas() {
    Set<String> schemas = new TreeSet<>();
    tables.values().forEach(t -> schemas.add(t.schema()));
    moves.forEach(m -> schemas.add(m.toSchema()));
    return schemas;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** The renames as a person reads them. */
  public String render() {
    if (isEmpty() && warnings.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("  renames (finalize renames last; until then the source names)\n");
    tables.forEach((from, to) -> out.append("    ").append(from).append(" → ").append(to).append('\n'));
    renames.schemas().forEach((from, to) -> {
      long n = moves.stream().filter(m -> m.fromSchema().equals(from)).count();
      out.append("    schema ").append(from).append(" → ").append(to)
          .append(": its tables with their indexes and owned sequences")
          .append(n == 0 ? "" : ", and " + n + " other objects").append('\n');
    });
    warnings.forEach(w -> out.append("    warning: ").append(w).append('\n'));
    return out.toString();
  }
}
