package dev.pg2citus.catalog;

import java.util.List;

/**
 * What the source has for one {@link SchemaObject}, per kind: the definition its own
 * {@code pg_get_*def} prints where it has one, and otherwise the catalog's fields, names printed
 * qualified as the source prints them. It says nothing about what the target gets: the schema tool
 * ({@code ddl}) decides the statements.
 */
public sealed interface ObjectDefinition {
  /** A function or procedure: {@code pg_get_functiondef}, without trailing white space. */
  record Routine(String definition) implements ObjectDefinition {}

  /**
   * An aggregate from {@code pg_aggregate}.
   *
   * @param signature its name with its arguments, {@code schema.name(arguments)}
   * @param options its options as {@code CREATE AGGREGATE} lists them, in pg_dump's order
   */
  record Aggregate(String signature, String options) implements ObjectDefinition {}

  /**
   * An operator from {@code pg_operator}.
   *
   * @param name its schema and symbol, {@code "Shop".===}
   * @param options its function, arguments, commutator, negator, estimators and flags as
   *     {@code CREATE OPERATOR} lists them
   */
  record Operator(String name, String options) implements ObjectDefinition {}

  /**
   * A cast from {@code pg_cast}.
   *
   * @param source its source type, as {@code format_type} prints it
   * @param target its target type, likewise
   * @param method {@code f} by a function, {@code i} through input/output, {@code b} binary coercible
   * @param function its function as {@code regprocedure} prints it, or null
   * @param context {@code e} explicit, {@code a} on assignment, {@code i} implicit
   */
  record Cast(String source, String target, char method, String function, char context)
      implements ObjectDefinition {}

  /**
   * A view or materialized view.
   *
   * @param query {@code pg_get_viewdef}, without its final semicolon
   * @param options its {@code reloptions}, comma-separated, or empty
   * @param indexes a materialized view's indexes, each as {@code pg_get_indexdef} prints it
   */
  record View(String query, String options, List<String> indexes) implements ObjectDefinition {
    public View {
      indexes = List.copyOf(indexes);
    }
  }

  /**
   * A trigger.
   *
   * @param definition {@code pg_get_triggerdef}
   * @param table its table, qualified
   * @param trigger its name, quoted
   * @param constraint whether it is a constraint trigger
   * @param disabled whether it is disabled ({@code tgenabled = 'D'})
   */
  record Trigger(String definition, String table, String trigger, boolean constraint, boolean disabled)
      implements ObjectDefinition {}

  /** A rule: {@code pg_get_ruledef}, without its final semicolon. */
  record Rule(String definition) implements ObjectDefinition {}

  /**
   * A row-level security policy from {@code pg_policy}.
   *
   * @param policy its name, quoted
   * @param table its table, qualified
   * @param permissive PERMISSIVE, else RESTRICTIVE
   * @param command the command it applies to: {@code ALL}, {@code SELECT}, {@code INSERT}…
   * @param roles its roles as {@code regrole} prints them, {@code PUBLIC} for all
   * @param using its {@code USING} expression, or null
   * @param withCheck its {@code WITH CHECK} expression, or null
   */
  record Policy(String policy, String table, boolean permissive, String command, List<String> roles, String using,
      String withCheck) implements ObjectDefinition {
    public Policy {
      roles = List.copyOf(roles);
    }
  }

  /** Row-level security switched on for a table, and whether it is forced on its owner too. */
  record RowSecurity(boolean force) implements ObjectDefinition {}

  /**
   * Extended statistics.
   *
   * @param definition {@code pg_get_statisticsobjdef}
   * @param target its statistics target, or null when it has the default
   */
  record Statistics(String definition, Integer target) implements ObjectDefinition {}

  /**
   * A setting of the source database ({@code ALTER DATABASE … SET}), or of one role in it ({@code
   * ALTER ROLE … IN DATABASE … SET}), as pg_db_role_setting holds it.
   *
   * @param role the role, as {@code regrole} prints it, or null for every role
   * @param value the value as stored: a list setting's elements as {@code SET} printed them
   */
  record Setting(String role, String name, String value) implements ObjectDefinition {}

  /** The comment of an object that has no other definition here; the object is the one it is named by. */
  record Comment(String text) implements ObjectDefinition {}

  /**
   * One privilege an ACL holds.
   *
   * @param grantee the role as {@code regrole} prints it, or {@code PUBLIC}
   * @param privilege {@code SELECT}, {@code EXECUTE}…
   * @param grantable whether it is held with the grant option
   */
  record AclEntry(String grantee, String privilege, boolean grantable) {}

  /**
   * The grants of one object: what its ACL holds beyond its kind's default, and the privileges of
   * that default it no longer gives PUBLIC.
   *
   * @param kind what {@code ALTER} calls it: {@code TABLE}, {@code VIEW}, {@code SEQUENCE}, {@code FUNCTION}…
   * @param object its name
   * @param granted the entries beyond the default, grantee by grantee
   * @param revokedFromPublic the default's privileges PUBLIC lost
   */
  record Privileges(String kind, String object, List<AclEntry> granted, List<String> revokedFromPublic)
      implements ObjectDefinition {
    public Privileges {
      granted = List.copyOf(granted);
      revokedFromPublic = List.copyOf(revokedFromPublic);
    }
  }

  /**
   * The column grants of one table or view.
   *
   * @param relation the table or view
   * @param grants per grantee and grant option, each privilege with its columns
   */
  record ColumnPrivileges(String relation, List<ColumnGrant> grants) implements ObjectDefinition {
    public ColumnPrivileges {
      grants = List.copyOf(grants);
    }
  }

  /**
   * One privilege a role holds on some columns.
   *
   * @param columns the columns, quoted, in their table's order
   */
  record ColumnGrant(String grantee, boolean grantable, String privilege, List<String> columns) {
    public ColumnGrant {
      columns = List.copyOf(columns);
    }
  }

  /**
   * The owner of one object.
   *
   * @param kind what {@code ALTER} calls it
   * @param object its name
   * @param owner the owning role, as {@code regrole} prints it
   */
  record Owner(String kind, String object, String owner) implements ObjectDefinition {}

  /**
   * The default privileges of one role for one kind of object, in one schema or database-wide:
   * what they grant beyond their baseline, and what they revoke from it (the kind's default for a
   * database-wide entry, nothing for a schema's).
   *
   * @param role the role whose new objects they apply to
   * @param schema the schema, unquoted, or null for database-wide
   * @param objects the kind of object, as {@code ALTER DEFAULT PRIVILEGES} names it ({@code TABLES}…)
   * @param granted what they grant beyond the baseline
   * @param revoked what they revoke from it (the grant option does not apply)
   */
  record DefaultPrivileges(String role, String schema, String objects, List<AclEntry> granted,
      List<AclEntry> revoked) implements ObjectDefinition {
    public DefaultPrivileges {
      granted = List.copyOf(granted);
      revoked = List.copyOf(revoked);
    }
  }
}
