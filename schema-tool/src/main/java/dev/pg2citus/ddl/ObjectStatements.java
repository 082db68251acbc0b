package dev.pg2citus.ddl;

import dev.pg2citus.catalog.ObjectDefinition;
import dev.pg2citus.catalog.ObjectDefinition.AclEntry;
import dev.pg2citus.catalog.SchemaObject;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The statement that gives the target one object of the source ({@link SchemaObject}), written to
 * be issued again safely ({@code OR REPLACE}, {@code IF NOT EXISTS}, {@code DROP … IF EXISTS}, a
 * guard that recognises its effect), and its comment. Statements that name roles are guarded by
 * them, and what Citus does not propagate runs on every node ({@link GuardedStatement}).
 */
final class ObjectStatements {
  /** Whom a privilege is granted to, and whether with the grant option: one GRANT each. */
  private record Grantee(String role, boolean grantable) {
    String to() {
      return role + (grantable ? " WITH GRANT OPTION" : "");
    }
  }

  private ObjectStatements() {}

  /** The {@code COMMENT ON} statement of {@code o}, or null without a comment. */
  static String comment(SchemaObject o) {
    return o.comment() == null ? null
        : "COMMENT ON " + o.kind().sql() + " " + o.name() + " IS " + Sql.literal(o.comment());
  }

  /** A materialized view's indexes, each made unless it is there already. */
  static List<String> indexes(SchemaObject o) {
    if (!(o.definition() instanceof ObjectDefinition.View v)) {
      return List.of();
    }
    return v.indexes().stream()
        .map(i -> i.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS ")).toList();
  }

  /** The statement that creates {@code o} on the target, or sets what it describes there. */
  static String create(SchemaObject o) {
    ObjectDefinition d = o.definition();
    // Bodies are not checked at creation, as pg_dump does: a body may name objects created later.
    if (d instanceof ObjectDefinition.Routine r) {
      return "SET check_function_bodies = off;\n" + r.definition();
    }
    if (d instanceof ObjectDefinition.Aggregate a) {
      return "CREATE OR REPLACE AGGREGATE " + a.signature() + " (" + a.options() + ")";
    }
    // Citus propagates neither operators nor casts; one there already (not a shell a commutator left) is kept.
    if (d instanceof ObjectDefinition.Operator op) {
      return GuardedStatement.onEveryNodeUnless("EXISTS (SELECT 1 FROM pg_operator WHERE oid = to_regoperator("
          + Sql.literal(o.name()) + ") AND oprcode <> 0)", "CREATE OPERATOR " + op.name() + " (" + op.options() + ")");
    }
    if (d instanceof ObjectDefinition.Cast c) {
      return GuardedStatement.onEveryNodeUnless("EXISTS (SELECT 1 FROM pg_cast WHERE castsource = "
          + Sql.literal(c.source()) + "::regtype AND casttarget = " + Sql.literal(c.target()) + "::regtype)",
          "CREATE CAST " + o.name() + cast(c));
    }
    if (d instanceof ObjectDefinition.View v) {
      String with = v.options().isEmpty() ? "" : " WITH (" + v.options() + ")";
      return o.kind() == SchemaObject.Kind.MATERIALIZED_VIEW
          ? "CREATE MATERIALIZED VIEW IF NOT EXISTS " + o.name() + with + " AS\n" + v.query() + "\nWITH DATA"
          : "CREATE OR REPLACE VIEW " + o.name() + with + " AS\n" + v.query();
    }
    // Citus allows triggers on distributed tables only with citus.enable_unsafe_triggers; plain PostgreSQL ignores it.
    if (d instanceof ObjectDefinition.Trigger t) {
      String create = t.constraint() ? t.definition()
          : t.definition().replaceFirst("^CREATE TRIGGER ", "CREATE OR REPLACE TRIGGER ");
      return "SET citus.enable_unsafe_triggers = on;\n" + create
          + (t.disabled() ? ";\nALTER TABLE " + t.table() + " DISABLE TRIGGER " + t.trigger() : "");
    }
    if (d instanceof ObjectDefinition.Rule r) {
      return r.definition().replaceFirst("^CREATE RULE ", "CREATE OR REPLACE RULE ");
    }
    if (d instanceof ObjectDefinition.Policy p) {
      return policy(o, p);
    }
    if (d instanceof ObjectDefinition.RowSecurity r) {
      return "ALTER TABLE " + o.name() + " ENABLE ROW LEVEL SECURITY"
          + (r.force() ? ";\nALTER TABLE " + o.name() + " FORCE ROW LEVEL SECURITY" : "");
    }
    if (d instanceof ObjectDefinition.Statistics s) {
      return s.definition().replaceFirst("^CREATE STATISTICS ", "CREATE STATISTICS IF NOT EXISTS ")
          + (s.target() == null ? "" : ";\nALTER STATISTICS " + o.name() + " SET STATISTICS " + s.target());
    }
    if (d instanceof ObjectDefinition.Comment c) {
      return "COMMENT ON " + o.name() + " IS " + Sql.literal(c.text());
    }
    if (d instanceof ObjectDefinition.Privileges p) {
      return privileges(p);
    }
    if (d instanceof ObjectDefinition.ColumnPrivileges c) {
      return columnPrivileges(c);
    }
    if (d instanceof ObjectDefinition.Owner w) {
      return GuardedStatement.forRole(w.owner(), "ALTER " + w.kind() + " " + w.object() + " OWNER TO " + w.owner(),
          false);
    }
    if (d instanceof ObjectDefinition.DefaultPrivileges p) {
      return defaultPrivileges(p);
    }
    if (d instanceof ObjectDefinition.Setting g) {
      return setting(g);
    }
    throw new IllegalStateException("no statement for " + o.kind() + " " + o.name());
  }

  /** Settings whose value is a list, each element quoted on its own (as pg_dump's variable_is_guc_list_quote). */
  private static final Set<String> LIST_SETTINGS = Set.of("search_path", "temp_tablespaces", "local_preload_libraries",
      "session_preload_libraries", "shared_preload_libraries", "unix_socket_directories");

  /**
   * The setting on the target database, whatever its name (a block reads it there); a role's is
   * skipped with a note when the target lacks the role. On Citus it stays on the coordinator, where
   * clients connect: propagated, a format setting (DateStyle, extra_float_digits…) would reach the
   * sessions Citus opens on the workers and change how they print values.
   */
  private static String setting(ObjectDefinition.Setting g) {
    String name = String.join(".", Arrays.stream(g.name().split("\\.")).map(Sql::ident).toList());
    String value = LIST_SETTINGS.contains(g.name().toLowerCase(Locale.ROOT))
        ? String.join(", ", listElements(g.value()).stream().map(Sql::literal).toList()) : Sql.literal(g.value());
    String alter = g.role() == null ? "ALTER DATABASE " : "ALTER ROLE " + g.role() + " IN DATABASE ";
    String block = "DO $setting$ BEGIN PERFORM set_config('citus.enable_ddl_propagation', 'off', true); EXECUTE "
        + Sql.literal(alter) + " || quote_ident(current_database()) || "
        + Sql.literal(" SET " + name + " = " + value) + "; END $setting$";
    return g.role() == null ? block : GuardedStatement.forRole(g.role(), block, false);
  }

  /** The elements of a list setting as stored: separated by commas, each double-quoted where SET quoted it. */
  static List<String> listElements(String value) {
    List<String> elements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
          current.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        elements.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    elements.add(current.toString().strip());
    return elements;
  }

  private static String cast(ObjectDefinition.Cast c) {
    String method = switch (c.method()) {
      case 'f' -> " WITH FUNCTION " + c.function();
      case 'i' -> " WITH INOUT";
      default -> " WITHOUT FUNCTION";
    };
    return method + switch (c.context()) {
      case 'a' -> " AS ASSIGNMENT";
      case 'i' -> " AS IMPLICIT";
      default -> "";
    };
  }

  /** Dropped first, so a policy changed since an earlier run is made again as the source has it. */
  private static String policy(SchemaObject o, ObjectDefinition.Policy p) {
    String on = p.policy() + " ON " + p.table();
    String create = "CREATE POLICY " + on + " AS " + (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE")
        + " FOR " + p.command() + " TO " + String.join(", ", p.roles())
        + (p.using() == null ? "" : " USING (" + p.using() + ")")
        + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")");
    List<String> roles = p.roles().stream().filter(r -> !r.equals("PUBLIC")).toList();
    return "DROP POLICY IF EXISTS " + on + ";\n"
        + (roles.isEmpty() ? create : GuardedStatement.forPolicy(o.name(), roles, create));
  }

  /** The revoke from PUBLIC, then one GRANT per grantee and grant option, each guarded by its role. */
  private static String privileges(ObjectDefinition.Privileges p) {
    List<String> statements = new ArrayList<>();
    String on = " ON " + grantTarget(p.kind()) + " " + p.object();
    boolean routine = isRoutine(p.kind());
    if (!p.revokedFromPublic().isEmpty()) {
      statements.add(GuardedStatement.forRole(null, "REVOKE " + String.join(", ", p.revokedFromPublic()) + on
          + " FROM PUBLIC", routine));
    }
    byGrantee(p.granted()).forEach((to, privileges) -> statements.add(GuardedStatement.forRole(
        to.role().equals("PUBLIC") ? null : to.role(), "GRANT " + String.join(", ", privileges) + on + " TO " + to.to(),
        routine)));
    return String.join(";\n", statements);
  }

  /** One GRANT per grantee and grant option, its privileges each with their columns. */
  private static String columnPrivileges(ObjectDefinition.ColumnPrivileges c) {
    Map<Grantee, List<String>> byGrantee = new LinkedHashMap<>();
    c.grants().forEach(g -> byGrantee.computeIfAbsent(new Grantee(g.grantee(), g.grantable()), k -> new ArrayList<>())
        .add(g.privilege() + " (" + String.join(", ", g.columns()) + ")"));
    List<String> statements = new ArrayList<>();
    byGrantee.forEach((to, privileges) -> statements.add(GuardedStatement.forColumnGrant(to.role(), "GRANT "
        + String.join(", ", privileges) + " ON TABLE " + c.relation() + " TO " + to.to())));
    return String.join(";\n", statements);
  }

  /** The revokes, then the grants; the target applies them to what the role creates from then on. */
  private static String defaultPrivileges(ObjectDefinition.DefaultPrivileges p) {
    String alter = "ALTER DEFAULT PRIVILEGES FOR ROLE " + p.role()
        + (p.schema() == null ? "" : " IN SCHEMA " + Sql.ident(p.schema()));
    List<String> statements = new ArrayList<>();
    p.revoked().forEach(r -> statements.add(GuardedStatement.forDefaultPrivileges(p.role(), r.grantee(), alter
        + " REVOKE " + r.privilege() + " ON " + p.objects() + " FROM " + r.grantee())));
    byGrantee(p.granted()).forEach((to, privileges) -> statements.add(GuardedStatement.forDefaultPrivileges(p.role(),
        to.role(), alter + " GRANT " + String.join(", ", privileges) + " ON " + p.objects() + " TO " + to.to())));
    return String.join(";\n", statements);
  }

  /** The privileges per grantee and grant option, in the order of the entries. */
  private static Map<Grantee, List<String>> byGrantee(List<AclEntry> entries) {
    Map<Grantee, List<String>> byGrantee = new LinkedHashMap<>();
    entries.forEach(e -> byGrantee.computeIfAbsent(new Grantee(e.grantee(), e.grantable()), k -> new ArrayList<>())
        .add(e.privilege()));
    return byGrantee;
  }

  /** GRANT names views and materialized views as tables, domains as types, aggregates as functions. */
  private static String grantTarget(String kind) {
    return switch (kind) {
      case "VIEW", "MATERIALIZED VIEW" -> "TABLE";
      case "DOMAIN" -> "TYPE";
      case "AGGREGATE" -> "FUNCTION";
      default -> kind;
    };
  }

  private static boolean isRoutine(String kind) {
    return kind.equals("FUNCTION") || kind.equals("PROCEDURE") || kind.equals("AGGREGATE");
  }
}
