package dev.pg2citus.catalog;

import dev.pg2citus.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Reads pg_catalog into a {@link Catalog}. A handful of set-based queries, whatever the number of
 * tables, so a catalog of thousands of tables reads in seconds.
 *
 * <p>The session's {@code search_path} is set to {@code pg_catalog} first: {@code format_type},
 * {@code pg_get_expr}, {@code pg_get_indexdef} and {@code pg_get_constraintdef} then qualify every
 * user object with its schema, so their text is valid on the target whatever its search_path.
 */
public final class CatalogReader {
  static final String USER_SCHEMAS =
      "n.nspname NOT IN ('pg_catalog', 'information_schema', 'citus', 'columnar', 'columnar_internal')"
          + " AND n.nspname NOT LIKE 'pg\\_%'";
  /** Whether the object whose oid is {@code %s} belongs to an extension (which the target installs). */
  static final String FROM_EXTENSION = "EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = %s AND e.deptype = 'e')";
  static final String NOT_FROM_EXTENSION = "NOT " + FROM_EXTENSION;

  private final Connection connection;

  public CatalogReader(Connection connection) {
    this.connection = connection;
  }

  /**
   * Reads the tables that {@code selected} accepts; a partition comes with its partitioned table.
   * The connection's search_path is left at pg_catalog.
   */
  public Catalog read(Predicate<TableName> selected) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("SET search_path = pg_catalog");
      st.execute("SET standard_conforming_strings = on");
    }
    Map<Long, TableHeader> headers = readTables(selected);
    Map<Long, List<String>> inheritedColumns = new HashMap<>();
    Map<Long, List<Column>> columns = readColumns(headers.keySet(), inheritedColumns);
    Map<Long, Constraints> constraints = readConstraints(headers);
    Map<Long, List<Index>> indexes = readIndexes(headers.keySet());
    List<Table> tables = new ArrayList<>();
    for (var entry : headers.entrySet()) {
      long oid = entry.getKey();
      TableHeader h = entry.getValue();
      Constraints c = constraints.getOrDefault(oid, new Constraints());
      tables.add(new Table(h.name, h.unlogged, h.partitionKey, h.parent, h.partitionBound, h.inherits,
          inheritedColumns.getOrDefault(oid, List.of()), columns.getOrDefault(oid, List.of()), c.primaryKey, c.uniques, c.exclusions,
          indexes.getOrDefault(oid, List.of()), c.foreignKeys, c.checks, h.comment, h.estimatedRows));
    }
    String oids = oidArray(headers.keySet());
    Map<Long, String> tableless = readTablelessSchemas();
    Set<Long> carriedSchemas = carriedSchemas(headers.keySet(), tableless.keySet());
    String schemas = oidArray(carriedSchemas);
    List<SequenceInfo> sequences = readSequences(headers.keySet(), schemas);
    ObjectReader objects = new ObjectReader(connection, headers.keySet(), carriedSchemas,
        sequences.stream().map(s -> s.name().quoted()).toList()).read();
    List<SkippedObject> skipped = new ArrayList<>(objects.skipped());
    skipped.addAll(keysToTablesLeftOut(tables));
    return new Catalog(tables, readCollations(oids), readTypes(oids, schemas), sequences, readExtensions(oids, schemas),
        objects.objects(), skipped, List.copyOf(tableless.values()), objects.largeObjects());
  }

  /**
   * User schemas that hold no table: nothing in them was left out by a table filter, so they are
   * carried with their views, routines, types and sequences (a schema of tables all left out is not).
   */
  private Map<Long, String> readTablelessSchemas() throws SQLException {
    String sql = """
        SELECT n.oid, n.nspname FROM pg_namespace n
         WHERE %s AND n.nspname NOT IN ('pg2citus', 'citus_internal') AND %s
           AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p'))
         ORDER BY 2
        """.formatted(USER_SCHEMAS, NOT_FROM_EXTENSION.formatted("n.oid"));
    Map<Long, String> result = new LinkedHashMap<>();
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        result.put(rs.getLong(1), rs.getString(2));
      }
    }
    return result;
  }

  /** The carried schemas: those of the migrated tables and those without tables. */
  private Set<Long> carriedSchemas(Set<Long> tables, Set<Long> tableless) throws SQLException {
    Set<Long> schemas = new TreeSet<>(tableless);
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT DISTINCT relnamespace::bigint FROM pg_class WHERE oid = ANY (?::oid[])")) {
      ps.setString(1, oidArray(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          schemas.add(rs.getLong(1));
        }
      }
    }
    return schemas;
  }

  /** Foreign keys of migrated tables to tables a filter leaves out: not created, so listed. */
  private static List<SkippedObject> keysToTablesLeftOut(List<Table> tables) {
    Set<TableName> migrated = tables.stream().map(Table::name).collect(Collectors.toSet());
    List<SkippedObject> result = new ArrayList<>();
    for (Table t : tables) {
      for (ForeignKey fk : t.foreignKeys()) {
        if (!migrated.contains(fk.referenced())) {
          result.add(new SkippedObject("foreign key", fk.name() + " ON " + t.name(),
              "it references " + fk.referenced() + ", which a table filter leaves out: include that"
                  + " table, or create the key on the target once it has the rows the key needs"));
        }
      }
    }
    return result;
  }

  /**
   * The large objects the connection sees now (in its snapshot, if it holds one), with their
   * owners, grants and comments.
   */
  public List<LargeObject> largeObjects() throws SQLException {
    List<SchemaObject> privileges = new ArrayList<>(
        PrivilegeReader.read(connection, new Long[0], Set.of(), List.of(), List.of()));
    return PrivilegeReader.largeObjects(privileges);
  }

  /**
   * The canonical spelling of a type name as the source understands it ({@code int4} →
   * {@code integer}), or null when the source has no such type.
   */
  public String canonicalTypeName(String typeName) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT format_type(to_regtype(?), NULL)")) {
      ps.setString(1, typeName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /**
   * The sequences' last values now (null for one never used), read again at finalize: the source may
   * have moved on since the catalog was read.
   */
  public Map<TableName, Long> lastValues(List<SequenceInfo> sequences) throws SQLException {
    Map<TableName, Long> result = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT last_value FROM pg_sequences WHERE schemaname = ? AND sequencename = ?")) {
      for (SequenceInfo s : sequences) {
        ps.setString(1, s.name().schema());
        ps.setString(2, s.name().name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long v = rs.getLong(1);
            result.put(s.name(), rs.wasNull() ? null : v);
          }
        }
      }
    }
    return result;
  }

  private record TableHeader(
      TableName name, boolean unlogged, String partitionKey, TableName parent,
      String partitionBound, String comment, long estimatedRows, List<TableName> inherits) {}

  private static final class Constraints {
    KeyConstraint primaryKey;
    final List<KeyConstraint> uniques = new ArrayList<>();
    final List<KeyConstraint> exclusions = new ArrayList<>();
    final List<ForeignKey> foreignKeys = new ArrayList<>();
    final List<CheckConstraint> checks = new ArrayList<>();
  }

  private Map<Long, TableHeader> readTables(Predicate<TableName> selected) throws SQLException {
    String sql = """
        SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u',
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               pn.nspname, pc.relname,
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
               obj_description(c.oid, 'pg_class'), c.reltuples::bigint,
               ARRAY(SELECT hn.nspname FROM pg_inherits h JOIN pg_class hc ON hc.oid = h.inhparent
                       JOIN pg_namespace hn ON hn.oid = hc.relnamespace
                      WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno),
               ARRAY(SELECT hc.relname FROM pg_inherits h JOIN pg_class hc ON hc.oid = h.inhparent
                      WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno)
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
          LEFT JOIN pg_class pc ON pc.oid = i.inhparent
          LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE c.relkind IN ('r', 'p') AND %s AND %s
         ORDER BY n.nspname, c.relname
        """.formatted(USER_SCHEMAS, NOT_FROM_EXTENSION.formatted("c.oid"));
    Map<Long, TableHeader> all = new LinkedHashMap<>();
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        TableName parent = rs.getString(6) == null ? null : new TableName(rs.getString(6), rs.getString(7));
        List<String> schemas = strings(rs.getArray(11));
        List<String> names = strings(rs.getArray(12));
        List<TableName> inherits = new ArrayList<>();
        for (int i = 0; i < schemas.size(); i++) {
          inherits.add(new TableName(schemas.get(i), names.get(i)));
        }
        all.put(rs.getLong(1), new TableHeader(new TableName(rs.getString(2), rs.getString(3)),
            rs.getBoolean(4), rs.getString(5), parent, rs.getString(8), rs.getString(9), rs.getLong(10), inherits));
      }
    }
    Map<TableName, TableHeader> byName = new HashMap<>();
    all.values().forEach(h -> byName.put(h.name, h));
    Map<Long, TableHeader> result = new LinkedHashMap<>();
    all.forEach((oid, h) -> {
      if (selected.test(rootOf(h, byName))) {
        result.put(oid, h);
      }
    });
    return result;
  }

  /** A partition is selected with the partitioned table at the top of its tree. */
  private static TableName rootOf(TableHeader h, Map<TableName, TableHeader> byName) {
    TableHeader current = h;
    while (current.parent != null && byName.containsKey(current.parent)) {
      current = byName.get(current.parent);
    }
    return current.name;
  }

  /** The columns of {@code tables}; those a table has only from its INHERITS parents go to {@code inherited} too. */
  private Map<Long, List<Column>> readColumns(Set<Long> tables, Map<Long, List<String>> inherited)
      throws SQLException {
    String sql = """
        SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod),
               format_type(a.atttypid, NULL), a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity,
               CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                    THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
               col_description(a.attrelid, a.attnum), NOT a.attislocal AND a.attinhcount > 0
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
          LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
         WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum
        """;
    Map<Long, List<Column>> result = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, oidArray(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Column(
              rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getString(6),
              rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), null, null));
          if (rs.getBoolean(11)) {
            inherited.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
          }
        }
      }
    }
    return result;
  }

  private Map<Long, Constraints> readConstraints(Map<Long, TableHeader> tables) throws SQLException {
    // conparentid <> 0: a partition's copy of its parent's constraint; the parent's is enough.
    // A partition's inherited CHECK comes with its parent; a table of classic inheritance is created
    // on its own, so it keeps its inherited checks.
    String sql = """
        SELECT con.conrelid, con.conname, con.contype, pg_get_constraintdef(con.oid),
               ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                       JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                      ORDER BY k.ord),
               con.confrelid,
               ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                       JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                      ORDER BY k.ord),
               CASE con.confmatchtype WHEN 'f' THEN ' MATCH FULL' ELSE '' END
               || CASE con.confupdtype WHEN 'r' THEN ' ON UPDATE RESTRICT' WHEN 'c' THEN ' ON UPDATE CASCADE'
                    WHEN 'n' THEN ' ON UPDATE SET NULL' WHEN 'd' THEN ' ON UPDATE SET DEFAULT' ELSE '' END
               || CASE con.confdeltype WHEN 'r' THEN ' ON DELETE RESTRICT' WHEN 'c' THEN ' ON DELETE CASCADE'
                    WHEN 'n' THEN ' ON DELETE SET NULL' WHEN 'd' THEN ' ON DELETE SET DEFAULT' ELSE '' END
               || CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
               || CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
               || CASE WHEN NOT con.convalidated THEN ' NOT VALID' ELSE '' END
          FROM pg_constraint con
         WHERE con.conrelid = ANY (?::oid[]) AND con.contype IN ('p', 'u', 'x', 'f', 'c')
           AND con.conparentid = 0
           AND (con.contype <> 'c' OR con.conislocal
                OR NOT EXISTS (SELECT 1 FROM pg_class pc WHERE pc.oid = con.conrelid AND pc.relispartition))
         ORDER BY con.conrelid, con.conname
        """;
    Map<Long, Constraints> result = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, oidArray(tables.keySet()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long oid = rs.getLong(1);
          Constraints c = result.computeIfAbsent(oid, k -> new Constraints());
          String name = rs.getString(2);
          String def = rs.getString(4);
          List<String> cols = strings(rs.getArray(5));
          switch (rs.getString(3)) {
            case "p" -> c.primaryKey = new KeyConstraint(name, cols, def);
            case "u" -> c.uniques.add(new KeyConstraint(name, cols, def));
            case "x" -> c.exclusions.add(new KeyConstraint(name, cols, def));
            case "c" -> c.checks.add(new CheckConstraint(name, def));
            case "f" -> {
              TableHeader referenced = tables.get(rs.getLong(6));
              TableName refName = referenced != null ? referenced.name : tableName(rs.getLong(6));
              c.foreignKeys.add(new ForeignKey(name, tables.get(oid).name, cols, refName,
                  strings(rs.getArray(7)), def, rs.getString(8)));
            }
            default -> throw new IllegalStateException("unexpected constraint type");
          }
        }
      }
    }
    return result;
  }

  private TableName tableName(long oid) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.oid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new TableName(rs.getString(1), rs.getString(2));
      }
    }
  }

  private Map<Long, List<Index>> readIndexes(Set<Long> tables) throws SQLException {
    // Indexes behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint come with the constraint, and a
    // partition's index attached to its parent's comes with the parent's.
    String sql = """
        SELECT i.indrelid, ic.relname, i.indisunique, pg_get_indexdef(i.indexrelid),
               i.indexprs IS NOT NULL,
               ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
                       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                      WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = ANY (?::oid[])
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                            WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
           AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
         ORDER BY i.indrelid, ic.relname
        """;
    Map<Long, List<Index>> result = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, oidArray(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<String> keys = rs.getBoolean(5) ? List.of() : strings(rs.getArray(6));
          result.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
              .add(new Index(rs.getString(2), rs.getBoolean(3), rs.getString(4), keys));
        }
      }
    }
    return result;
  }

  /** User-defined collations of the selected columns; the locale field's name varies by version, so via jsonb. */
  private List<Collation> readCollations(String tableOids) throws SQLException {
    String sql = """
        SELECT DISTINCT n.nspname, co.collname, co.collprovider, co.collisdeterministic,
               coalesce(to_jsonb(co) ->> 'colliculocale', to_jsonb(co) ->> 'colllocale', co.collcollate),
               co.collcollate, co.collctype
          FROM pg_attribute a
          JOIN pg_collation co ON co.oid = a.attcollation
          JOIN pg_namespace n ON n.oid = co.collnamespace
         WHERE a.attrelid = ANY (?::oid[]) AND n.nspname <> 'pg_catalog' AND co.collprovider IN ('i', 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = co.oid AND e.deptype = 'e')
         ORDER BY 1, 2
        """;
    List<Collation> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, tableOids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String options = rs.getString(3).equals("i")
              ? "PROVIDER = icu, LOCALE = " + Sql.literal(rs.getString(5))
              : "PROVIDER = libc, LC_COLLATE = " + Sql.literal(rs.getString(6)) + ", LC_CTYPE = "
                  + Sql.literal(rs.getString(7));
          result.add(new Collation(new TableName(rs.getString(1), rs.getString(2)),
              options + ", DETERMINISTIC = " + rs.getBoolean(4)));
        }
      }
    }
    return result;
  }

  /**
   * Types the selected columns use, directly or through arrays, domains, composites and ranges; and
   * the enums, domains, ranges and composite types of the carried schemas, used or not.
   */
  private static final String USED_TYPES = """
      WITH RECURSIVE selected(oid) AS (SELECT unnest(?::oid[])),
      used(oid) AS (
          SELECT a.atttypid FROM pg_attribute a
           WHERE a.attrelid IN (SELECT oid FROM selected) AND a.attnum > 0 AND NOT a.attisdropped
        UNION
          SELECT t.oid FROM pg_type t WHERE t.typnamespace = ANY (?::oid[])
             AND (t.typtype IN ('e', 'd', 'r')
                  OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        UNION
          SELECT d.dep FROM used u JOIN pg_type t ON t.oid = u.oid
           CROSS JOIN LATERAL (
                 SELECT t.typelem WHERE t.typelem <> 0
                 UNION ALL SELECT t.typbasetype WHERE t.typbasetype <> 0
                 UNION ALL SELECT r.rngsubtype FROM pg_range r WHERE r.rngtypid = t.oid
                 UNION ALL SELECT a.atttypid FROM pg_attribute a
                            WHERE t.typtype = 'c' AND a.attrelid = t.typrelid
                              AND a.attnum > 0 AND NOT a.attisdropped) d(dep))
      """;

  private List<UserType> readTypes(String tableOids, String schemaOids) throws SQLException {
    String sql = USED_TYPES + """
        SELECT n.nspname, t.typname, t.typtype,
               CASE t.typtype
                 WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                  FROM pg_enum e WHERE e.enumtypid = t.oid)
                 WHEN 'c' THEN (SELECT string_agg(quote_ident(a.attname) || ' '
                                         || format_type(a.atttypid, a.atttypmod)
                                         || CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                                                 THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
                                         ', ' ORDER BY a.attnum)
                                  FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                                 WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
                 WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                      || CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
                              THEN ' COLLATE ' || t.typcollation::regcollation::text ELSE '' END
                      || COALESCE(' DEFAULT ' || t.typdefault, '')
                      || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                      || COALESCE((SELECT string_agg(' CONSTRAINT ' || quote_ident(c.conname) || ' '
                                                     || pg_get_constraintdef(c.oid), '' ORDER BY c.conname)
                                     FROM pg_constraint c WHERE c.contypid = t.oid), '')
                 WHEN 'r' THEN (SELECT 'SUBTYPE = ' || format_type(r.rngsubtype, NULL)
                                       || CASE WHEN r.rngcollation <> 0
                                               THEN ', COLLATION = ' || r.rngcollation::regcollation::text ELSE '' END
                                       || CASE WHEN r.rngsubdiff <> 0
                                               THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END
                                  FROM pg_range r WHERE r.rngtypid = t.oid)
               END
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
          LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
         WHERE t.oid IN (SELECT oid FROM used) AND %s AND %s
           AND (t.typtype IN ('e', 'd', 'r')
                OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
         ORDER BY t.typtype <> 'e', t.oid
        """.formatted(USER_SCHEMAS, NOT_FROM_EXTENSION.formatted("t.oid"));
    List<UserType> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, tableOids);
      ps.setString(2, schemaOids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          UserType.Kind kind = switch (rs.getString(3)) {
            case "e" -> UserType.Kind.ENUM;
            case "d" -> UserType.Kind.DOMAIN;
            case "r" -> UserType.Kind.RANGE;
            default -> UserType.Kind.COMPOSITE;
          };
          result.add(new UserType(new TableName(rs.getString(1), rs.getString(2)), kind,
              rs.getString(4) == null ? "" : rs.getString(4)));
        }
      }
    }
    return result;
  }

  /**
   * The source's extensions, each after those it requires; {@link Extension#needed} for those that
   * own something the selected tables depend on: a column's type, a function in a default, generated
   * column or check, an operator class of an index.
   */
  private List<Extension> readExtensions(String tableOids, String schemaOids) throws SQLException {
    String sql = USED_TYPES + """
        , deps AS (
            SELECT d.refclassid, d.refobjid FROM pg_depend d
             WHERE (d.classid = 'pg_class'::regclass AND d.objid = ANY (?::oid[]))
                OR (d.classid = 'pg_attrdef'::regclass
                    AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = ANY (?::oid[])))
                OR (d.classid = 'pg_constraint'::regclass
                    AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = ANY (?::oid[])))
                OR (d.classid = 'pg_class'::regclass
                    AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY (?::oid[])))
            UNION SELECT 'pg_type'::regclass, oid FROM used),
        needed AS (
            SELECT e.refobjid AS oid FROM deps
              JOIN pg_depend e ON e.classid = deps.refclassid AND e.objid = deps.refobjid AND e.deptype = 'e'),
        -- how deep each extension sits under those it requires, so they are created first
        chain(oid, depth) AS (
            SELECT oid, 0 FROM pg_extension
          UNION ALL
            SELECT d.objid, c.depth + 1 FROM chain c
              JOIN pg_depend d ON d.classid = 'pg_extension'::regclass AND d.refclassid = 'pg_extension'::regclass
                              AND d.refobjid = c.oid)
        SELECT x.extname, n.nspname, x.extversion, x.oid IN (SELECT oid FROM needed)
          FROM pg_extension x
          JOIN pg_namespace n ON n.oid = x.extnamespace
         WHERE x.extname NOT IN ('plpgsql', 'citus', 'citus_columnar')
         ORDER BY (SELECT max(depth) FROM chain WHERE chain.oid = x.oid), 1
        """;
    List<Extension> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, tableOids);
      ps.setString(2, schemaOids);
      for (int i = 3; i <= 6; i++) {
        ps.setString(i, tableOids);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new Extension(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
        }
      }
    }
    return result;
  }

  /**
   * Sequences the selected tables own (serial, identity) or use in a column default, and those of
   * the carried schemas that no table owns (an application's own counters), as pg_dump carries them.
   */
  private List<SequenceInfo> readSequences(Set<Long> tables, String schemaOids) throws SQLException {
    String sql = """
        SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
               s.seqmin, s.seqmax, s.seqcache, s.seqcycle, ps.last_value,
               owner_ns.nspname, owner.relname, oa.attname, od.deptype = 'i'
          FROM pg_sequence s
          JOIN pg_class c ON c.oid = s.seqrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
          LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = s.seqrelid
                                AND od.refclassid = 'pg_class'::regclass AND od.deptype IN ('a', 'i')
          LEFT JOIN pg_class owner ON owner.oid = od.refobjid
          LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
          LEFT JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid
         WHERE od.refobjid = ANY (?::oid[])
            OR EXISTS (SELECT 1 FROM pg_depend ud JOIN pg_attrdef ad ON ad.oid = ud.objid
                        WHERE ud.classid = 'pg_attrdef'::regclass AND ud.refobjid = s.seqrelid
                          AND ad.adrelid = ANY (?::oid[]))
            OR (od.objid IS NULL AND c.relnamespace = ANY (?::oid[])
                AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                                   AND e.objid = s.seqrelid AND e.deptype = 'e'))
         ORDER BY n.nspname, c.relname
        """;
    List<SequenceInfo> result = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      String oids = oidArray(tables);
      ps.setString(1, oids);
      ps.setString(2, oids);
      ps.setString(3, schemaOids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long last = rs.getLong(10);
          Long lastValue = rs.wasNull() ? null : last;
          TableName owner = rs.getString(11) == null ? null : new TableName(rs.getString(11), rs.getString(12));
          result.add(new SequenceInfo(new TableName(rs.getString(1), rs.getString(2)),
              rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7),
              rs.getLong(8), rs.getBoolean(9), lastValue, owner, rs.getString(13), rs.getBoolean(14)));
        }
      }
    }
    return result;
  }

  private static String oidArray(Set<Long> oids) {
    return new TreeSet<>(oids).stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
  }

  private static List<String> strings(Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

}
