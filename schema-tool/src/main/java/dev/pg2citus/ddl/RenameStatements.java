package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.plan.TargetNames;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The renames, last of finalize: {@code ALTER … RENAME TO} and {@code SET SCHEMA} per table (its
 * indexes, constraints and owned sequences go along), then the other objects a schema rename moves.
 * Each statement is skipped when its effect is on the target already (a table at its new name and not
 * at its old one; another object not at its old one, moved or never created, which an earlier error
 * of finalize says), so finalize can run again; {@link #back()} undoes them first, since the
 * post-data statements name the source's tables. A table whose new name is taken is an error.
 */
final class RenameStatements {
  private final TargetNames names;

  RenameStatements(TargetNames names) {
    this.names = names;
  }

  /**
   * The source names → the target names: routines first, while the types and tables their
   * signatures name are still where the signatures say, then the tables, then the rest.
   */
  List<DdlStatement> forward() {
    List<DdlStatement> out = new ArrayList<>();
    names.moves().stream().filter(TargetNames.Move::isRoutine).forEach(m -> out.add(move(m)));
    names.tables().forEach((from, to) -> {
      TableName between = new TableName(from.schema(), to.name());
      if (!between.equals(from)) {
        out.add(new DdlStatement(Step.RENAME, from + " → " + to, "ALTER TABLE " + from.quoted() + " RENAME TO "
            + Sql.ident(to.name()), "SELECT 1 WHERE NOT " + exists("to_regclass", from.quoted()) + " AND ("
            + exists("to_regclass", to.quoted()) + " OR " + exists("to_regclass", between.quoted()) + ")"));
      }
      if (!between.equals(to)) {
        out.add(new DdlStatement(Step.RENAME, from + " → " + to, "ALTER TABLE " + between.quoted() + " SET SCHEMA "
            + Sql.ident(to.schema()), "SELECT 1 WHERE NOT " + exists("to_regclass", between.quoted()) + " AND "
            + exists("to_regclass", to.quoted())));
      }
    });
    names.moves().stream().filter(m -> !m.isRoutine()).forEach(m -> out.add(move(m)));
    return out;
  }

  /** An object of a renamed schema moved, unless it is not under its old name (moved, or never made). */
  private static DdlStatement move(TargetNames.Move m) {
    return new DdlStatement(Step.RENAME, m.name() + " → " + m.toSchema(), "ALTER " + m.keyword() + " " + m.name()
        + " SET SCHEMA " + Sql.ident(m.toSchema()), "SELECT 1 WHERE NOT " + exists(m.exists(), m.name()));
  }

  /**
   * The target names → the source names, in the reverse order, for what stands under its new name
   * and not under its old one.
   */
  List<DdlStatement> back() {
    List<DdlStatement> out = new ArrayList<>();
    List<TargetNames.Move> moves = new ArrayList<>(names.moves());
    Collections.reverse(moves);
    moves.stream().filter(m -> !m.isRoutine()).forEach(m -> out.add(moveBack(m)));
    List<TableName> tables = new ArrayList<>(names.tables().keySet());
    Collections.reverse(tables);
    for (TableName from : tables) {
      TableName to = names.of(from);
      TableName between = new TableName(from.schema(), to.name());
      if (!between.equals(to)) {
        out.add(new DdlStatement(Step.RENAME, to + " → " + from, "ALTER TABLE " + to.quoted() + " SET SCHEMA "
            + Sql.ident(from.schema()), "SELECT 1 WHERE NOT " + exists("to_regclass", to.quoted()) + " OR "
            + exists("to_regclass", between.quoted())));
      }
      if (!between.equals(from)) {
        out.add(new DdlStatement(Step.RENAME, to + " → " + from, "ALTER TABLE " + between.quoted() + " RENAME TO "
            + Sql.ident(from.name()), "SELECT 1 WHERE NOT " + exists("to_regclass", between.quoted()) + " OR "
            + exists("to_regclass", from.quoted())));
      }
    }
    moves.stream().filter(TargetNames.Move::isRoutine).forEach(m -> out.add(moveBack(m)));
    return out;
  }

  private static DdlStatement moveBack(TargetNames.Move m) {
    return new DdlStatement(Step.RENAME, m.moved() + " → " + m.fromSchema(), "ALTER " + m.keyword() + " " + m.moved()
        + " SET SCHEMA " + Sql.ident(m.fromSchema()), "SELECT 1 WHERE NOT " + exists(m.exists(), m.moved()) + " OR "
        + exists(m.exists(), m.name()));
  }

  /** With include-drop: what an earlier run renamed, dropped under its new name. */
  List<DdlStatement> drops() {
    List<DdlStatement> out = new ArrayList<>();
    names.tables().values().forEach(t -> out.add(new DdlStatement(Step.DROP, t.toString(), "DROP TABLE IF EXISTS "
        + t.quoted() + " CASCADE")));
    // Types before routines: a routine whose signature names a moved type goes with it (CASCADE).
    List<TargetNames.Move> moves = new ArrayList<>(names.moves().stream().filter(m -> !m.isRoutine()).toList());
    moves.addAll(names.moves().stream().filter(TargetNames.Move::isRoutine).toList());
    moves.forEach(m -> out.add(new DdlStatement(Step.DROP, m.moved(), "DROP " + m.keyword() + " IF EXISTS " + m.moved()
        + " CASCADE")));
    return out;
  }

  private static String exists(String resolve, String quotedName) {
    return resolve + "(" + Sql.literal(quotedName) + ") IS NOT NULL";
  }
}
