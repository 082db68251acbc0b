package dev.pg2citus.catalog;

import dev.pg2citus.catalog.ObjectDefinition.AclEntry;
import dev.pg2citus.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the owners and grants of what is carried: the carried schemas, the tables, views and
 * materialized views (and their columns' grants), their sequences, the carried routines, the types
 * of those schemas and the large objects, and the default privileges of those schemas and the database.
 * What an object's ACL holds is read as it differs from the default its kind starts with
 * ({@code acldefault}): the entries beyond it, and the default's privileges PUBLIC lost (EXECUTE on
 * functions, USAGE on types). Each ACL entry is read as its three fields.
 */
final class PrivilegeReader {
  /** An ACL entry's grantee as GRANT names it, for a row {@code g} of {@code aclexplode}. */
  private static final String ROLE = "CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END";
  /** The order the entries are granted in: by grantee, privilege and grant option as one text. */
  private static final String ENTRY_ORDER = ROLE + " || ' ' || g.privilege_type || ' ' || g.is_grantable";

  private static final String OBJECTS = """
      WITH schemas(oid) AS (SELECT unnest(?::bigint[]::oid[])),
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
           WHERE t.typnamespace IN (SELECT oid FROM schemas) AND %3$s
             AND (t.typtype IN ('e', 'd', 'r')
                  OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        UNION ALL
          SELECT 'LARGE OBJECT', 'L', m.oid::text, m.lomowner, m.lomacl, false,
                 obj_description(m.oid, 'pg_largeobject') FROM pg_largeobject_metadata m)
      SELECT o.kind, o.name, o.owner::regrole::text,
             ARRAY(SELECT ARRAY[%1$s, g.privilege_type, g.is_grantable::text]
                     FROM (SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.acl)
                           EXCEPT SELECT grantee, privilege_type, is_grantable
                                    FROM aclexplode(acldefault(o.acl_kind::"char", o.owner))) g
                    WHERE g.grantee <> o.owner ORDER BY %2$s),
             ARRAY(SELECT g.privilege_type
                     FROM (SELECT grantee, privilege_type FROM aclexplode(acldefault(o.acl_kind::"char", o.owner))
                           EXCEPT SELECT grantee, privilege_type FROM aclexplode(o.acl)) g
                    WHERE g.grantee = 0 AND o.acl IS NOT NULL ORDER BY 1),
             o.linked, o.comment
        FROM objects o
       ORDER BY o.kind = 'SCHEMA' DESC, o.name
      """.formatted(ROLE, ENTRY_ORDER, CatalogReader.NOT_FROM_EXTENSION.formatted("t.oid"));

  /**
   * The column grants of the carried tables and views: per relation, grantee, grant option and
   * privilege, the columns in their table's order. A column's ACL holds only what was granted on
   * it, so there is no default to leave out.
   */
  private static final String COLUMNS = """
      WITH granted AS (
          SELECT a.attrelid, a.attnum, a.attname, g.grantee, g.privilege_type, g.is_grantable
            FROM pg_attribute a, aclexplode(a.attacl) g
           WHERE a.attrelid = ANY (?::bigint[]::oid[]) AND a.attacl IS NOT NULL AND a.attnum > 0
             AND NOT a.attisdropped)
      SELECT attrelid::regclass::text, CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE grantee::regrole::text END,
             is_grantable, privilege_type, array_agg(quote_ident(attname) ORDER BY attnum)
        FROM granted GROUP BY attrelid, grantee, is_grantable, privilege_type
       ORDER BY 1, 2, 3, 4
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
             ARRAY(SELECT ARRAY[%1$s, g.privilege_type, g.is_grantable::text]
                     FROM (SELECT grantee, privilege_type, is_grantable FROM aclexplode(e.defaclacl)
                           EXCEPT SELECT grantee, privilege_type, is_grantable FROM aclexplode(e.baseline)) g
                    ORDER BY %2$s),
             ARRAY(SELECT ARRAY[%1$s, g.privilege_type]
                     FROM (SELECT grantee, privilege_type FROM aclexplode(e.baseline)
                           EXCEPT SELECT grantee, privilege_type FROM aclexplode(e.defaclacl)) g
                    ORDER BY %1$s || ' ' || g.privilege_type)
        FROM entries e
       ORDER BY 2 NULLS FIRST, 1, 3
      """.formatted(ROLE, ENTRY_ORDER);

  private PrivilegeReader() {}

  /**
   * Reads the owners and grants; {@code schemas} are the carried schemas' oids, {@code relations}
   * those and the carried views', {@code sequences} the carried sequences as quoted names (the
   * catalog's choice, read once), {@code routines} the carried routines as {@code regprocedure}
   * text. Returns {@link SchemaObject.Kind#GRANT} objects, then {@link SchemaObject.Kind#OWNER} ones,
   * then the {@link SchemaObject.Kind#COMMENT}s of schemas, sequences and types (which no other
   * reader carries).
   */
  static List<SchemaObject> read(Connection connection, Long[] schemas, Set<Long> relations, List<String> sequences,
      List<String> routines) throws SQLException {
    List<SchemaObject> grants = new ArrayList<>();
    List<SchemaObject> owners = new ArrayList<>();
    List<SchemaObject> comments = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(OBJECTS)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemas));
      ps.setArray(2, connection.createArrayOf("bigint", relations.toArray()));
      ps.setArray(3, connection.createArrayOf("text", sequences.toArray()));
      ps.setArray(4, connection.createArrayOf("text", routines.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String kind = rs.getString(1);
          String name = rs.getString(2);
          String on = kind + " " + name;
          List<AclEntry> granted = entries(rs.getArray(4));
          List<String> revoked = List.of((String[]) rs.getArray(5).getArray());
          if (!granted.isEmpty() || !revoked.isEmpty()) {
            grants.add(new SchemaObject(SchemaObject.Kind.GRANT, on,
                new ObjectDefinition.Privileges(kind, name, granted, revoked), null, Set.of(name), true));
          }
          if (rs.getString(7) != null) {
            comments.add(new SchemaObject(SchemaObject.Kind.COMMENT, on, new ObjectDefinition.Comment(rs.getString(7)),
                null, Set.of(name), false));
          }
          if (rs.getBoolean(6)) {
            continue; // a sequence linked to a table takes the table's owner
          }
          owners.add(new SchemaObject(SchemaObject.Kind.OWNER, on, new ObjectDefinition.Owner(kind, name,
              rs.getString(3)), null, Set.of(name), true));
        }
      }
    }
    grants.addAll(columnGrants(connection, relations));
    grants.addAll(owners);
    grants.addAll(comments);
    return grants;
  }

  /**
   * Takes the owners, grants and comments of large objects out of {@code privileges} (as {@link
   * #read} gives them) and returns them as one {@link LargeObject} each, by OID.
   */
  static List<LargeObject> largeObjects(List<SchemaObject> privileges) {
    String prefix = "LARGE OBJECT ";
    Map<Long, List<SchemaObject>> byOid = new TreeMap<>();
    for (var it = privileges.iterator(); it.hasNext(); ) {
      SchemaObject o = it.next();
      if (o.name().startsWith(prefix)) {
        byOid.computeIfAbsent(Long.parseLong(o.name().substring(prefix.length())), k -> new ArrayList<>()).add(o);
        it.remove();
      }
    }
    List<LargeObject> result = new ArrayList<>();
    byOid.forEach((oid, own) -> result.add(new LargeObject(oid, own)));
    return result;
  }

  /** One GRANT object per relation with column grants. */
  private static List<SchemaObject> columnGrants(Connection connection, Set<Long> relations) throws SQLException {
    Map<String, List<ObjectDefinition.ColumnGrant>> byRelation = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
      ps.setArray(1, connection.createArrayOf("bigint", relations.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byRelation.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ObjectDefinition.ColumnGrant(
              rs.getString(2), rs.getBoolean(3), rs.getString(4), List.of((String[]) rs.getArray(5).getArray())));
        }
      }
    }
    List<SchemaObject> grants = new ArrayList<>();
    byRelation.forEach((relation, columnGrants) -> grants.add(new SchemaObject(SchemaObject.Kind.GRANT,
        "COLUMNS OF " + relation, new ObjectDefinition.ColumnPrivileges(relation, columnGrants), null,
        Set.of(relation), true)));
    return grants;
  }

  /** ACL entries read as {@code [grantee, privilege, grantable]} triples ({@code [grantee, privilege]} pairs). */
  private static List<AclEntry> entries(Array triples) throws SQLException {
    List<AclEntry> entries = new ArrayList<>();
    for (Object o : (Object[]) triples.getArray()) {
      String[] entry = (String[]) o;
      entries.add(new AclEntry(entry[0], entry[1], entry.length > 2 && Boolean.parseBoolean(entry[2])));
    }
    return entries;
  }

  /** One object per default ACL entry: what it grants beyond, and revokes from, its baseline. */
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
          String schema = rs.getString(2);
          List<AclEntry> granted = entries(rs.getArray(4));
          List<AclEntry> revoked = entries(rs.getArray(5));
          if (!granted.isEmpty() || !revoked.isEmpty()) {
            result.add(new SchemaObject(SchemaObject.Kind.DEFAULT_PRIVILEGES, "DEFAULT PRIVILEGES FOR ROLE " + role
                + (schema == null ? "" : " IN SCHEMA " + Sql.ident(schema)) + " ON " + objects,
                new ObjectDefinition.DefaultPrivileges(role, schema, objects, granted, revoked), null, Set.of(), true));
          }
        }
      }
    }
    return result;
  }
}
