package dev.pg2citus.catalog;

import dev.pg2citus.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the owners and grants of what is carried: the schemas of the migrated tables, the tables,
 * views and materialized views (and their columns' grants), their sequences, the carried routines
 * and the types of those schemas. A grant is what the object's ACL has beyond the default one its kind starts with
 * ({@code acldefault}); a default privilege the source revoked from PUBLIC (EXECUTE on functions,
 * USAGE on types) is revoked on the target too. Each statement names roles, which the target may
 * not have, so each is guarded: with the role missing it is skipped with a warning the schema tool
 * turns into a note, not an error.
 */
final class PrivilegeReader {
  private static final String OBJECTS = """
      WITH selected(oid) AS (SELECT unnest(?::bigint[]::oid[])),
      schemas(oid) AS (SELECT DISTINCT relnamespace FROM pg_class WHERE oid IN (SELECT oid FROM selected)),
      objects(kind, acl_kind, name, owner, acl, linked, comment) AS (
          SELECT 'SCHEMA', 'n', quote_ident(n.nspname), n.nspowner, n.nspacl, false,
                 obj_description(n.oid, 'pg_namespace') FROM pg_namespace n
           WHERE n.oid IN (SELECT oid FROM schemas) AND n.nspname <> 'public'
        UNION ALL
          SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, 'r',
                 c.oid::regclass::text, c.relowner, c.relacl, false, NULL
            FROM pg_class c WHERE c.oid = ANY (?::bigint[]::oid[])
        UNION ALL
          SELECT 'SEQUENCE', 's', c.oid::regclass::text, c.relowner, c.relacl,
                 EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.deptype IN ('a', 'i')),
                 obj_description(c.oid, 'pg_class')
            FROM pg_class c WHERE c.oid = ANY (?::text[]::regclass[])
        UNION ALL
          SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, 'f',
                 p.oid::regprocedure::text, p.proowner, p.proacl, false, NULL FROM pg_proc p
           WHERE p.oid::regprocedure::text = ANY (?::text[])
        UNION ALL
          SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, 'T', t.oid::regtype::text, t.typowner,
                 t.typacl, false, obj_description(t.oid, 'pg_type') FROM pg_type t
           WHERE t.typnamespace IN (SELECT oid FROM schemas) AND %s
             AND (t.typtype IN ('e', 'd', 'r')
                  OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')))
      SELECT o.kind, o.name, o.owner::regrole::text,
             ARRAY(SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END || ' '
                          || g.privilege_type || ' ' || g.is_grantable
                     FROM (SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.acl)
                           EXCEPT SELECT grantee, privilege_type, is_grantable
                                    FROM aclexplode(acldefault(o.acl_kind::"char", o.owner))) g
                    WHERE g.grantee <> o.owner ORDER BY 1),
             ARRAY(SELECT g.privilege_type
                     FROM (SELECT grantee, privilege_type FROM aclexplode(acldefault(o.acl_kind::"char", o.owner))
                           EXCEPT SELECT grantee, privilege_type FROM aclexplode(o.acl)) g
                    WHERE g.grantee = 0 AND o.acl IS NOT NULL ORDER BY 1),
             o.linked, o.comment
        FROM objects o
       ORDER BY o.kind = 'SCHEMA' DESC, o.name
      """.formatted(CatalogReader.NOT_FROM_EXTENSION.formatted("t.oid"));

  /**
   * The column grants of the carried tables and views: per relation, grantee and grant option, the
   * privileges each with its columns ({@code SELECT (a, b), UPDATE (a)}). A column's ACL holds only
   * what was granted on it, so there is no default to leave out.
   */
  private static final String COLUMNS = """
      WITH granted AS (
          SELECT a.attrelid, a.attnum, a.attname, g.grantee, g.privilege_type, g.is_grantable
            FROM pg_attribute a, aclexplode(a.attacl) g
           WHERE a.attrelid = ANY (?::bigint[]::oid[]) AND a.attacl IS NOT NULL AND a.attnum > 0
             AND NOT a.attisdropped),
      per_privilege AS (
          SELECT attrelid, grantee, is_grantable, privilege_type,
                 privilege_type || ' (' || string_agg(quote_ident(attname), ', ' ORDER BY attnum) || ')' AS grant_text
            FROM granted GROUP BY attrelid, grantee, is_grantable, privilege_type)
      SELECT attrelid::regclass::text, CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE grantee::regrole::text END,
             is_grantable, string_agg(grant_text, ', ' ORDER BY privilege_type)
        FROM per_privilege GROUP BY attrelid, grantee, is_grantable
       ORDER BY 1, 2, 3
      """;

  /**
   * The default privileges of the migrated schemas and the database-wide ones (as pg_dump carries
   * them): what each entry grants beyond, and revokes from, its baseline — the kind's default for a
   * database-wide entry, nothing for a schema's.
   */
  private static final String DEFAULT_ACLS = """
      WITH entries AS (
          SELECT d.defaclrole, d.defaclnamespace, d.defaclobjtype, d.defaclacl,
                 CASE WHEN d.defaclnamespace = 0
                      THEN acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)
                      END AS baseline
            FROM pg_default_acl d
           WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY (?::bigint[]::oid[]))
      SELECT e.defaclrole::regrole::text, (SELECT nspname FROM pg_namespace WHERE oid = e.defaclnamespace),
             e.defaclobjtype::text,
             ARRAY(SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END || ' '
                          || g.privilege_type || ' ' || g.is_grantable
                     FROM (SELECT grantee, privilege_type, is_grantable FROM aclexplode(e.defaclacl)
                           EXCEPT SELECT grantee, privilege_type, is_grantable FROM aclexplode(e.baseline)) g
                    ORDER BY 1),
             ARRAY(SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END || ' '
                          || g.privilege_type
                     FROM (SELECT grantee, privilege_type FROM aclexplode(e.baseline)
                           EXCEPT SELECT grantee, privilege_type FROM aclexplode(e.defaclacl)) g
                    ORDER BY 1)
        FROM entries e
       ORDER BY 2 NULLS FIRST, 1, 3
      """;

  private PrivilegeReader() {}

  /**
   * Reads the owners and grants; {@code tables} are the migrated tables' oids, {@code relations}
   * those and the carried views', {@code sequences} the carried sequences as quoted names (the
   * catalog's choice, read once), {@code routines} the carried routines as {@code regprocedure}
   * text. Returns {@link SchemaObject.Kind#GRANT} objects, then {@link SchemaObject.Kind#OWNER} ones,
   * then the {@link SchemaObject.Kind#COMMENT}s of schemas, sequences and types (which no other
   * reader carries).
   */
  static List<SchemaObject> read(Connection connection, Set<Long> tables, Set<Long> relations, List<String> sequences,
      List<String> routines) throws SQLException {
    List<SchemaObject> grants = new ArrayList<>();
    List<SchemaObject> owners = new ArrayList<>();
    List<SchemaObject> comments = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(OBJECTS)) {
      ps.setArray(1, connection.createArrayOf("bigint", tables.toArray()));
      ps.setArray(2, connection.createArrayOf("bigint", relations.toArray()));
      ps.setArray(3, connection.createArrayOf("text", sequences.toArray()));
      ps.setArray(4, connection.createArrayOf("text", routines.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String on = rs.getString(1) + " " + rs.getString(2);
          List<String> statements = new ArrayList<>();
          String[] revoked = (String[]) rs.getArray(5).getArray();
          if (revoked.length > 0) {
            statements.add(guarded(null, "REVOKE " + String.join(", ", revoked) + " ON " + grantTarget(rs.getString(1))
                + " " + rs.getString(2) + " FROM PUBLIC", isRoutine(rs.getString(1))));
          }
          grants(rs.getString(1), rs.getString(2), (String[]) rs.getArray(4).getArray(), statements);
          if (!statements.isEmpty()) {
            grants.add(new SchemaObject(SchemaObject.Kind.GRANT, on, String.join(";\n", statements), null,
                List.of(), Set.of(rs.getString(2)), true));
          }
          if (rs.getString(7) != null) {
            comments.add(new SchemaObject(SchemaObject.Kind.COMMENT, on, "COMMENT ON " + on + " IS "
                + Sql.literal(rs.getString(7)), null, List.of(), Set.of(rs.getString(2)), false));
          }
          String owner = rs.getString(3);
          if (rs.getBoolean(6)) {
            continue; // a sequence linked to a table takes the table's owner
          }
          owners.add(new SchemaObject(SchemaObject.Kind.OWNER, on,
              guarded(owner, "ALTER " + on + " OWNER TO " + owner, false), null, List.of(), Set.of(rs.getString(2)),
              true));
        }
      }
    }
    grants.addAll(columnGrants(connection, relations));
    grants.addAll(owners);
    grants.addAll(comments);
    return grants;
  }

  /** One GRANT object per relation with column grants, its statements guarded by their roles. */
  private static List<SchemaObject> columnGrants(Connection connection, Set<Long> relations) throws SQLException {
    Map<String, List<String>> byRelation = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
      ps.setArray(1, connection.createArrayOf("bigint", relations.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String grantee = rs.getString(2);
          String grant = "GRANT " + rs.getString(4) + " ON TABLE " + rs.getString(1) + " TO " + grantee
              + (rs.getBoolean(3) ? " WITH GRANT OPTION" : "");
          byRelation.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(columnGuarded(grantee, grant));
        }
      }
    }
    List<SchemaObject> grants = new ArrayList<>();
    byRelation.forEach((relation, statements) -> grants.add(new SchemaObject(SchemaObject.Kind.GRANT,
        "COLUMNS OF " + relation, String.join(";\n", statements), null, List.of(), Set.of(relation), true)));
    return grants;
  }

  /** One GRANT per grantee and grant option, each guarded by its role. */
  private static void grants(String kind, String name, String[] entries, List<String> out) {
    byGrantee(entries).forEach((to, privileges) -> {
      String grantee = to.replace(" WITH GRANT OPTION", "");
      String grant = "GRANT " + String.join(", ", privileges) + " ON " + grantTarget(kind) + " " + name + " TO " + to;
      out.add(guarded(grantee.equals("PUBLIC") ? null : grantee, grant, isRoutine(kind)));
    });
  }

  /** "grantee PRIVILEGE grantable" entries (a quoted grantee may hold spaces) as privileges per grantee. */
  private static Map<String, List<String>> byGrantee(String[] entries) {
    Map<String, List<String>> byGrantee = new LinkedHashMap<>();
    for (String entry : entries) {
      int last = entry.lastIndexOf(' ');
      int privilege = entry.lastIndexOf(' ', last - 1);
      String grantee = entry.substring(0, privilege);
      boolean grantable = Boolean.parseBoolean(entry.substring(last + 1));
      byGrantee.computeIfAbsent(grantee + (grantable ? " WITH GRANT OPTION" : ""), k -> new ArrayList<>())
          .add(entry.substring(privilege + 1, last));
    }
    return byGrantee;
  }

  /**
   * One object per default ACL entry: its revokes, then its grants, each statement guarded by the
   * roles it names. The target applies them to what those roles create from then on.
   */
  static List<SchemaObject> defaultPrivileges(Connection connection, Long[] schemaOids) throws SQLException {
    List<SchemaObject> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(DEFAULT_ACLS)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String role = rs.getString(1);
          String objects = switch (rs.getString(3)) {
            case "r" -> "TABLES";
            case "S" -> "SEQUENCES";
            case "f" -> "FUNCTIONS";
            case "T" -> "TYPES";
            case "n" -> "SCHEMAS";
            case "L" -> "LARGE OBJECTS";
            default -> throw new IllegalStateException("default privileges of " + role + " for object type '"
                + rs.getString(3) + "', which pg2citus does not know");
          };
          String scope = "FOR ROLE " + role + (rs.getString(2) == null ? "" : " IN SCHEMA " + Sql.ident(rs.getString(2)));
          List<String> statements = new ArrayList<>();
          for (String revoke : (String[]) rs.getArray(5).getArray()) {
            int space = revoke.lastIndexOf(' ');
            String grantee = revoke.substring(0, space);
            statements.add(defaultGuarded(role, grantee, "ALTER DEFAULT PRIVILEGES " + scope + " REVOKE "
                + revoke.substring(space + 1) + " ON " + objects + " FROM " + grantee));
          }
          byGrantee((String[]) rs.getArray(4).getArray()).forEach((to, privileges) -> statements.add(
              defaultGuarded(role, to.replace(" WITH GRANT OPTION", ""), "ALTER DEFAULT PRIVILEGES " + scope
                  + " GRANT " + String.join(", ", privileges) + " ON " + objects + " TO " + to)));
          if (!statements.isEmpty()) {
            result.add(new SchemaObject(SchemaObject.Kind.DEFAULT_PRIVILEGES, "DEFAULT PRIVILEGES " + scope + " ON "
                + objects, String.join(";\n", statements), null, List.of(), Set.of(), true));
          }
        }
      }
    }
    return result;
  }

  /**
   * A column grant, skipped with a warning when its role is not on the target, or on a Citus before
   * 13.1, which grants on the coordinator's table only and leaves the shards without it.
   */
  private static String columnGuarded(String grantee, String grant) {
    String oldCitus = "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus'"
        + " AND string_to_array(split_part(extversion, '-', 1), '.')::int[] < '{13,1}')";
    String skip = grantee.equals("PUBLIC") ? oldCitus : "to_regrole(" + Sql.literal(grantee) + ") IS NULL OR " + oldCitus;
    return GuardedStatement.of(skip, "role " + grantee + " is not on the target, or Citus is older than 13.1 (which"
        + " does not propagate column grants to the shards): " + grant + " skipped", grant, false);
  }

  /**
   * A default-privilege statement, skipped with a warning when either role is not on the target or
   * the migrating user may not act for the role (it must be a member, or a superuser).
   */
  private static String defaultGuarded(String role, String grantee, String statement) {
    String skip = "to_regrole(" + Sql.literal(role) + ") IS NULL"
        + (grantee.equals("PUBLIC") ? "" : " OR to_regrole(" + Sql.literal(grantee) + ") IS NULL")
        + " OR NOT pg_has_role(current_user, to_regrole(" + Sql.literal(role) + "), 'MEMBER')";
    return GuardedStatement.of(skip, "a role of it is not on the target, or the migrating user is not a member of "
        + role + ": " + statement + " skipped", statement, false);
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

  /**
   * {@code statement}, run only when {@code role} (as regrole prints it; null for none) exists,
   * otherwise skipped with a warning. A grant on a routine ({@code routine}) is run on each Citus
   * node by hand: Citus 13 propagates GRANT ON FUNCTION with the schema name unquoted, which fails
   * for a schema such as {@code "Shop"}.
   */
  private static String guarded(String role, String statement, boolean routine) {
    return GuardedStatement.of(role == null ? null : "to_regrole(" + Sql.literal(role) + ") IS NULL",
        role == null ? null : "role " + role + " is not on the target: " + statement + " skipped", statement, routine);
  }
}
