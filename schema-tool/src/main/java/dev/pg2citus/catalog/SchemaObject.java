package dev.pg2citus.catalog;

import java.util.Set;

/**
 * An object besides tables that goes with the migrated tables — a routine, aggregate, operator,
 * cast, view, materialized view, extended statistics, trigger, rule, row-level security policy,
 * grants, owner, default privileges, database setting or comment — as the source has it: its definition as the
 * source's {@code pg_get_*def} prints it, or its catalog's fields ({@link ObjectDefinition}).
 *
 * @param kind what it is
 * @param name its qualified, quoted name, as {@code COMMENT ON} names it (with the argument
 *     types of a routine, the table of a trigger, rule or policy)
 * @param definition what the source has, by kind
 * @param comment its comment, or null
 * @param reads the carried objects it needs, by name: for a view, the views and routines it uses;
 *     for a grant, owner or comment, its object; for the comment of an index or constraint, the
 *     subject of the statement that builds it ({@code schema.table name})
 * @param needsTables whether it can only be created once the tables exist: for a routine, when its
 *     signature or body uses a table; always for views and triggers
 * @param rowTypes for a routine: the tables whose row type its signature uses
 */
public record SchemaObject(Kind kind, String name, ObjectDefinition definition, String comment, Set<String> reads,
    boolean needsTables, Set<TableName> rowTypes) {
  /** The kinds carried, with the words {@code COMMENT ON} uses for each. */
  public enum Kind {
    FUNCTION("FUNCTION"),
    PROCEDURE("PROCEDURE"),
    AGGREGATE("AGGREGATE"),
    OPERATOR("OPERATOR"),
    CAST("CAST"),
    VIEW("VIEW"),
    MATERIALIZED_VIEW("MATERIALIZED VIEW"),
    STATISTICS("STATISTICS"),
    TRIGGER("TRIGGER"),
    RULE("RULE"),
    POLICY("POLICY"),
    /** {@code ENABLE} (and {@code FORCE}) {@code ROW LEVEL SECURITY} of a table; it has no comment. */
    ROW_SECURITY("TABLE"),
    /** The grants and revokes of one object; it has no comment. */
    GRANT("GRANT"),
    /** The owner of one object; it has no comment. */
    OWNER("OWNER"),
    /**
     * The default privileges of one role, in one schema or in all, for one kind of object; it has
     * no comment.
     */
    DEFAULT_PRIVILEGES("DEFAULT PRIVILEGES"),
    /** A setting of the database, or of a role in it, as {@code ALTER DATABASE … SET} gives it; no comment. */
    SETTING("DATABASE"),
    /**
     * The comment of an object no other kind carries: a schema, sequence or type (created with
     * them), an index or constraint ({@code needsTables}: once finalize has built them).
     */
    COMMENT("COMMENT");

    private final String sql;

    Kind(String sql) {
      this.sql = sql;
    }

    public String sql() {
      return sql;
    }
  }

  public SchemaObject {
    reads = Set.copyOf(reads);
    rowTypes = Set.copyOf(rowTypes);
  }

  /** An object that uses no table's row type in a signature. */
  public SchemaObject(Kind kind, String name, ObjectDefinition definition, String comment, Set<String> reads,
      boolean needsTables) {
    this(kind, name, definition, comment, reads, needsTables, Set.of());
  }
}
