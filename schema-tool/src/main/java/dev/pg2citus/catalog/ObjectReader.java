package dev.pg2citus.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the objects besides tables that go with the selected tables: routines of their schemas,
 * views and materialized views that read only migrated relations (views on views in dependency
 * order), and triggers on migrated tables and views — and lists what it does not carry.
 * Definitions come from the source's own {@code pg_get_*def}, so the target gets them as the
 * source prints them. Runs on the reader's connection, with search_path at pg_catalog, so every
 * name is printed qualified.
 */
final class ObjectReader {
  /** Oids below this are the system's own (PostgreSQL's FirstNormalObjectId). */
  private static final long FIRST_USER_OID = 16384;
  private static final String NOT_FROM_EXTENSION = CatalogReader.NOT_FROM_EXTENSION;

  private final Connection connection;
  private final Set<Long> tables;
  private final Long[] schemaOids;
  private final List<SchemaObject> objects = new ArrayList<>();
  private final List<SkippedObject> skipped = new ArrayList<>();

  /** {@code tables}: the oids of the migrated tables. */
  ObjectReader(Connection connection, Set<Long> tables) throws SQLException {
    this.connection = connection;
    this.tables = tables;
    List<Long> schemas = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT DISTINCT relnamespace::bigint FROM pg_class WHERE oid = ANY (?::bigint[]::oid[])")) {
      ps.setArray(1, connection.createArrayOf("bigint", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          schemas.add(rs.getLong(1));
        }
      }
    }
    this.schemaOids = schemas.toArray(Long[]::new);
  }

  List<SchemaObject> objects() {
    return objects;
  }

  List<SkippedObject> skipped() {
    return skipped;
  }

  /** Reads routines, then views, then triggers (which may be on views). */
  ObjectReader read() throws SQLException {
    readRoutines();
    Set<Long> relations = new HashSet<>(tables);
    relations.addAll(readViews());
    readTriggers(relations);
    readNotCarried(relations);
    return this;
  }

  /** Routines of the schemas, but not those a type made for itself (a range type's constructors). */
  private void readRoutines() throws SQLException {
    String sql = """
        SELECT p.oid::regprocedure::text, p.prokind,
               CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END,
               obj_description(p.oid, 'pg_proc'),
               uses.tables, uses.relations > 0
          FROM pg_proc p,
               -- the user relations it uses, by row type or in its body; the tables among them
               LATERAL (SELECT coalesce(array_agg(DISTINCT r.oid::bigint) FILTER (WHERE r.relkind IN ('r', 'p')),
                                        '{}') AS tables, count(*) AS relations
                          FROM pg_depend d LEFT JOIN pg_type ty ON d.refclassid = 'pg_type'::regclass
                                                               AND ty.oid = d.refobjid
                          JOIN pg_class r ON r.oid = coalesce(nullif(ty.typrelid, 0), d.refobjid)
                         WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND r.oid >= %d
                           AND (ty.typrelid <> 0 OR d.refclassid = 'pg_class'::regclass)) uses
         WHERE p.pronamespace = ANY (?::bigint[]::oid[]) AND %s
           AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid
                                                       AND i.deptype = 'i')
         ORDER BY 1
        """.formatted(FIRST_USER_OID, NOT_FROM_EXTENSION.formatted("p.oid"));
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String kind = rs.getString(2);
          if (kind.equals("a")) {
            skipped.add(new SkippedObject("aggregate", name, "aggregates are not carried yet: create it on the"
                + " target before finalize (its definition: pg_dump --schema-only)"));
            continue;
          }
          if (!tables.containsAll(oids(rs.getArray(5)))) { // the tables it uses must be migrated
            skipped.add(new SkippedObject(kind.equals("p") ? "procedure" : "function", name, "it uses a table that"
                + " is not migrated (a table filter leaves it out): include the table, or create it on the target"));
            continue;
          }
          objects.add(new SchemaObject(kind.equals("p") ? SchemaObject.Kind.PROCEDURE : SchemaObject.Kind.FUNCTION,
              name, rs.getString(3).strip(), rs.getString(4), List.of(), Set.of(), rs.getBoolean(6)));
        }
      }
    }
  }

  /** Reads the views whose every relation is migrated, in dependency order; returns their oids. */
  private Set<Long> readViews() throws SQLException {
    String sql = """
        SELECT c.oid, c.oid::regclass::text, c.relkind, pg_get_viewdef(c.oid, true), obj_description(c.oid, 'pg_class'),
               array_to_string(c.reloptions, ', '),
               ARRAY(SELECT DISTINCT d.refobjid::bigint FROM pg_rewrite r
                       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                      WHERE r.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid)
          FROM pg_class c
         WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY (?::bigint[]::oid[]) AND %s
         ORDER BY 2
        """.formatted(NOT_FROM_EXTENSION.formatted("c.oid"));
    record View(long oid, String name, boolean materialized, String definition, String comment, String options,
        Set<Long> reads) {}
    Map<Long, View> pending = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Set<Long> reads = oids(rs.getArray(7));
          String def = rs.getString(4).strip();
          pending.put(rs.getLong(1), new View(rs.getLong(1), rs.getString(2), rs.getString(3).equals("m"),
              def.endsWith(";") ? def.substring(0, def.length() - 1) : def, rs.getString(5), rs.getString(6), reads));
        }
      }
    }
    Set<Long> available = new HashSet<>(tables);
    Map<Long, String> names = new LinkedHashMap<>();
    Set<Long> carried = new HashSet<>();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (var it = pending.values().iterator(); it.hasNext(); ) {
        View v = it.next();
        if (v.reads().stream().allMatch(r -> r < FIRST_USER_OID || available.contains(r))) {
          it.remove();
          available.add(v.oid());
          carried.add(v.oid());
          names.put(v.oid(), v.name());
          String with = v.options() == null || v.options().isEmpty() ? "" : " WITH (" + v.options() + ")";
          SchemaObject.Kind kind = v.materialized() ? SchemaObject.Kind.MATERIALIZED_VIEW : SchemaObject.Kind.VIEW;
          String create = v.materialized()
              ? "CREATE MATERIALIZED VIEW IF NOT EXISTS " + v.name() + with + " AS\n" + v.definition() + "\nWITH DATA"
              : "CREATE OR REPLACE VIEW " + v.name() + with + " AS\n" + v.definition();
          Set<String> reads = new HashSet<>();
          v.reads().stream().filter(names::containsKey).forEach(r -> reads.add(names.get(r)));
          objects.add(new SchemaObject(kind, v.name(), create, v.comment(),
              v.materialized() ? indexes(v.oid()) : List.of(), reads, true));
          progress = true;
        }
      }
    }
    for (View v : pending.values()) {
      skipped.add(new SkippedObject(v.materialized() ? "materialized view" : "view", v.name(),
          "it reads a relation that is not migrated (a table filter leaves it out): include it, or create the"
              + " view on the target by hand"));
    }
    return carried;
  }

  private static Set<Long> oids(Array array) throws SQLException {
    Set<Long> result = new HashSet<>();
    for (Object o : (Object[]) array.getArray()) {
      result.add(((Number) o).longValue());
    }
    return result;
  }

  private List<String> indexes(long matview) throws SQLException {
    List<String> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ? ORDER BY indexrelid")) {
      ps.setLong(1, matview);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(rs.getString(1).replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS "));
        }
      }
    }
    return result;
  }

  private void readTriggers(Set<Long> relations) throws SQLException {
    String sql = """
        SELECT quote_ident(t.tgname) || ' ON ' || t.tgrelid::regclass::text, pg_get_triggerdef(t.oid),
               obj_description(t.oid, 'pg_trigger'), t.tgenabled, t.tgconstraint <> 0, t.tgrelid::regclass::text,
               quote_ident(t.tgname), t.tgfoid::regprocedure::text,
               t.tgfoid < %d OR f.pronamespace = ANY (?::bigint[]::oid[]) OR %s
          FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgrelid = ANY (?::bigint[]::oid[])
         ORDER BY 1
        """.formatted(FIRST_USER_OID, CatalogReader.FROM_EXTENSION.formatted("t.tgfoid"));
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      ps.setArray(2, connection.createArrayOf("bigint", relations.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!rs.getBoolean(9)) {
            skipped.add(new SkippedObject("trigger", rs.getString(1), "its function " + rs.getString(8) + " is in a"
                + " schema without migrated tables, so it is not carried: create it on the target, then the trigger"));
            continue;
          }
          String def = rs.getString(2);
          if (!rs.getBoolean(5)) {
            def = def.replaceFirst("^CREATE TRIGGER ", "CREATE OR REPLACE TRIGGER ");
          }
          if (rs.getString(4).equals("D")) {
            def += ";\nALTER TABLE " + rs.getString(6) + " DISABLE TRIGGER " + rs.getString(7);
          }
          objects.add(new SchemaObject(SchemaObject.Kind.TRIGGER, rs.getString(1), def, rs.getString(3), List.of(),
              Set.of(), true));
        }
      }
    }
  }

  /** What the migrated relations and their schemas have that is not carried yet. */
  private void readNotCarried(Set<Long> relations) throws SQLException {
    Object[] rels = relations.toArray();
    notCarried("rule", "SELECT ev_class::regclass::text || ' ' || quote_ident(rulename) FROM pg_rewrite"
        + " WHERE rulename <> '_RETURN' AND ev_class = ANY (?::bigint[]::oid[]) ORDER BY 1", rels,
        "rules are not carried: recreate it on the target after the load");
    notCarried("policy", "SELECT polrelid::regclass::text || ' ' || quote_ident(polname) FROM pg_policy"
        + " WHERE polrelid = ANY (?::bigint[]::oid[]) ORDER BY 1", rels,
        "row-level security policies are not carried: create it, and ENABLE ROW LEVEL SECURITY, on the target");
    notCarried("statistics", "SELECT oid::regclass::text FROM pg_statistic_ext WHERE stxrelid = ANY (?::bigint[]::oid[])"
        + " ORDER BY 1", rels, "extended statistics are not carried: CREATE STATISTICS on the target, then ANALYZE");
    notCarried("privileges", "SELECT oid::regclass::text FROM pg_class WHERE relacl IS NOT NULL"
        + " AND oid = ANY (?::bigint[]::oid[]) ORDER BY 1", rels,
        "grants are not carried: the target's objects belong to the target user; GRANT on the target");
    notCarried("operator", "SELECT oid::regoperator::text FROM pg_operator WHERE oprnamespace = ANY (?::bigint[]::oid[])"
        + " AND " + NOT_FROM_EXTENSION.formatted("oid") + " ORDER BY 1", schemaOids,
        "operators are not carried: create it on the target before the migration");
  }

  private void notCarried(String kind, String sql, Object[] oids, String reason) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", oids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          skipped.add(new SkippedObject(kind, rs.getString(1), reason));
        }
      }
    }
  }
}
