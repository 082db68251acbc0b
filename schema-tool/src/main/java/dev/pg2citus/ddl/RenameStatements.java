package dev.pg2citus.ddl;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.plan.TargetNames;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The renames, last of finalize: {@code ALTER … RENAME TO} and {@code SET SCHEMA} per table (its
 * indexes, constraints and owned sequences go along), then the other objects a schema rename moves.
 * Each statement is skipped when its effect is on the target already (a table at its new name and not
 * at its old one; another object not at its old one, moved or never created, which an earlier error
 * of finalize says), so finalize can run again; {@link #back()} undoes them first, since the
 * post-data statements name the source's tables. A clash is an error, never skipped.
 */
final class RenameStatements {
  private final TargetNames names;

  RenameStatements(TargetNames names) {
    this.names = names;
  }

  /** The source names → the target names. */
  List<DdlStatement> forward() {
    List<DdlStatement> out = new ArrayList<>();
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
    for (TargetNames.Move m : names.moves()) {
      out.add(new DdlStatement(Step.RENAME, m.name() + " → " + m.toSchema(), "ALTER " + m.keyword() + " " + m.name()
          + " SET SCHEMA " + Sql.ident(m.toSchema()), "SELECT 1 WHERE NOT " + exists(m.exists(), m.name())));
    }
    return out;
  }

  /** The target names → the source names, for what is renamed already; in reverse order. */
  List<DdlStatement> back() {
    List<DdlStatement> out = new ArrayList<>();
    List<TargetNames.Move> moves = names.moves();
    for (int i = moves.size() - 1; i >= 0; i--) {
      TargetNames.Move m = moves.get(i);
      out.add(new DdlStatement(Step.RENAME, m.name(), "ALTER " + m.keyword() + " " + m.moved() + " SET SCHEMA "
          + Sql.ident(m.fromSchema()), "SELECT 1 WHERE NOT " + exists(m.exists(), m.moved())));
    }
    List<TableName> tables = new ArrayList<>(names.tables().keySet());
    for (int i = tables.size() - 1; i >= 0; i--) {
      TableName from = tables.get(i);
      TableName to = names.of(from);
      TableName between = new TableName(from.schema(), to.name());
      if (!between.equals(to)) {
        out.add(new DdlStatement(Step.RENAME, to + " → " + from, "ALTER TABLE " + to.quoted() + " SET SCHEMA "
            + Sql.ident(from.schema()), "SELECT 1 WHERE NOT " + exists("to_regclass", to.quoted())));
      }
      if (!between.equals(from)) {
        out.add(new DdlStatement(Step.RENAME, to + " → " + from, "ALTER TABLE " + between.quoted() + " RENAME TO "
            + Sql.ident(from.name()), "SELECT 1 WHERE NOT " + exists("to_regclass", between.quoted())));
      }
    }
    return out;
  }

  /** With include-drop: what an earlier run renamed, dropped under its new name. */
  List<DdlStatement> drops() {
    List<DdlStatement> out = new ArrayList<>();
    names.tables().values().forEach(t -> out.add(new DdlStatement(Step.DROP, t.toString(), "DROP TABLE IF EXISTS "
        + t.quoted() + " CASCADE")));
    names.moves().forEach(m -> out.add(new DdlStatement(Step.DROP, m.moved(), "DROP " + m.keyword() + " IF EXISTS "
        + m.moved() + " CASCADE")));
    return out;
  }

  private static String exists(String resolve, String quotedName) {
    return resolve + "(" + Sql.literal(quotedName) + ") IS NOT NULL";
  }
}
