package dev.pg2citus.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the objects besides tables that go with the selected tables: routines and aggregates of
 * their schemas, views and materialized views that read only migrated relations (views on views in
 * dependency order), triggers and rules on migrated tables and views, row-level security policies
 * and extended statistics of migrated tables, operators and casts, owners, grants and comments —
 * and lists what it does not carry. Each is described as the source has it ({@link ObjectDefinition}):
 * definitions from the source's own {@code pg_get_*def}, so the target gets them as the source
 * prints them, the rest from the catalogs. Runs on the reader's connection, with search_path at
 * pg_catalog, so every name is printed qualified.
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
  private final List<String> sequences;
  private final List<LargeObject> largeObjects = new ArrayList<>();
  /** The routines not carried, as {@code regprocedure} prints them: what calls them is not carried either. */
  private final Set<String> skippedRoutines = new HashSet<>();

  /**
   * {@code tables}: the oids of the migrated tables; {@code schemas}: the carried schemas (those of
   * the tables, and those without tables); {@code sequences}: the carried sequences, quoted.
   */
  ObjectReader(Connection connection, Set<Long> tables, Set<Long> schemas, List<String> sequences) {
    this.connection = connection;
    this.tables = tables;
    this.sequences = sequences;
    this.schemaOids = schemas.toArray(Long[]::new);
  }

  List<SchemaObject> objects() {
    return objects;
  }

  List<SkippedObject> skipped() {
    return skipped;
  }

  List<LargeObject> largeObjects() {
    return largeObjects;
  }

  /** Reads routines, then views, then triggers (which may be on views). */
  ObjectReader read() throws SQLException {
    readRoutines();
    Set<Long> relations = new HashSet<>(tables);
    relations.addAll(readViews());
    readTriggers(relations);
    readRules(relations);
    readPolicies();
    readStatistics();
    readOperators();
    readCasts();
    List<String> routines = objects.stream().filter(o -> o.kind() == SchemaObject.Kind.FUNCTION
        || o.kind() == SchemaObject.Kind.PROCEDURE || o.kind() == SchemaObject.Kind.AGGREGATE)
        .map(SchemaObject::name).toList();
    List<SchemaObject> privileges = new ArrayList<>(
        PrivilegeReader.read(connection, schemaOids, relations, sequences, routines));
    largeObjects.addAll(PrivilegeReader.largeObjects(privileges));
    objects.addAll(privileges);
    objects.addAll(PrivilegeReader.defaultPrivileges(connection, schemaOids));
    readConstraintComments();
    readDatabaseSettings();
    readNotCarried();
    return this;
  }

  /**
   * The source database's settings ({@code ALTER DATABASE … SET}) and its per-role ones ({@code ALTER
   * ROLE … IN DATABASE … SET}), from pg_db_role_setting, one object per setting.
   */
  private void readDatabaseSettings() throws SQLException {
    String sql = """
        SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE s.setrole::regrole::text END, c.setting
          FROM pg_db_role_setting s, unnest(s.setconfig) WITH ORDINALITY c(setting, n)
         WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
         ORDER BY s.setrole <> 0, 1, c.n
        """;
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String role = rs.getString(1);
        String[] nameValue = rs.getString(2).split("=", 2);
        objects.add(new SchemaObject(SchemaObject.Kind.SETTING, (role == null ? "" : "ROLE " + role + " IN ")
            + "DATABASE SET " + nameValue[0], new ObjectDefinition.Setting(role, nameValue[0], nameValue[1]), null,
            Set.of(), true));
      }
    }
  }

  private void skipRoutine(SchemaObject.Kind kind, String name, String reason) {
    skipped.add(new SkippedObject(kind.sql().toLowerCase(Locale.ROOT), name, reason));
    skippedRoutines.add(name);
  }

  /** The source's user tables that are not migrated: a filter leaves them out. */
  private List<TableName> tablesLeftOut() throws SQLException {
    List<TableName> result = new ArrayList<>();
    read("""
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.oid = ANY (?::bigint[]::oid[]) AND %s AND %s
         ORDER BY 1, 2
        """.formatted(CatalogReader.USER_SCHEMAS, NOT_FROM_EXTENSION.formatted("c.oid")), tables.toArray(),
        rs -> result.add(new TableName(rs.getString(1), rs.getString(2))));
    return result;
  }

  /**
   * Routines of the schemas, but not those a type made for itself (a range type's constructors), nor
   * those that use a table left out: by pg_depend (signature, SQL-standard body), or by name in a
   * body kept as text ({@link BodyNames}).
   */
  private void readRoutines() throws SQLException {
    List<TableName> leftOut = tablesLeftOut();
    String sql = """
        SELECT p.oid::regprocedure::text, p.prokind,
               CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) ELSE %s END,
               obj_description(p.oid, 'pg_proc'),
               uses.tables, uses.relations > 0,
               ARRAY(SELECT ARRAY[n.nspname::text, r.relname::text]
                       FROM pg_depend d JOIN pg_type ty ON ty.oid = d.refobjid
                       JOIN pg_class r ON r.oid = ty.typrelid JOIN pg_namespace n ON n.oid = r.relnamespace
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.refclassid = 'pg_type'::regclass AND r.relkind IN ('r', 'p')),
               -- an aggregate's support functions, which must be carried before it
               ARRAY(SELECT f::regprocedure::text FROM pg_aggregate a,
                            unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                                         a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn]::oid[]) f
                      WHERE a.aggfnoid = p.oid AND f <> 0),
               p.oid::regproc::text || '(' || pg_get_function_arguments(p.oid) || ')',
               -- a body kept as text (not SQL-standard, not C): pg_depend does not know what it uses
               CASE WHEN (SELECT lanname FROM pg_language WHERE oid = p.prolang) NOT IN ('c', 'internal')
                    THEN p.prosrc END
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
         ORDER BY p.prokind = 'a', 1
        """.formatted(AGGREGATE_OPTIONS, FIRST_USER_OID, NOT_FROM_EXTENSION.formatted("p.oid"));
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String kind = rs.getString(2);
          SchemaObject.Kind as = switch (kind) {
            case "p" -> SchemaObject.Kind.PROCEDURE;
            case "a" -> SchemaObject.Kind.AGGREGATE;
            default -> SchemaObject.Kind.FUNCTION;
          };
          if (!tables.containsAll(oids(rs.getArray(5)))) { // the tables it uses must be migrated
            skipRoutine(as, name, "it uses a table that is not migrated (a table filter leaves it out): include the"
                + " table, or create it on the target");
            continue;
          }
          TableName named = BodyNames.firstNamed(rs.getString(10), leftOut);
          if (named != null) {
            skipRoutine(as, name, "its body names " + named + ", a table a filter leaves out, so it would"
                + " fail there: include the table, or create the routine on the target once the table is there");
            continue;
          }
          Set<TableName> rowTypes = new HashSet<>();
          for (Object pair : (Object[]) rs.getArray(7).getArray()) {
            String[] schemaAndName = (String[]) pair;
            rowTypes.add(new TableName(schemaAndName[0], schemaAndName[1]));
          }
          ObjectDefinition definition = as == SchemaObject.Kind.AGGREGATE
              ? new ObjectDefinition.Aggregate(rs.getString(9), rs.getString(3))
              : new ObjectDefinition.Routine(rs.getString(3).strip());
          objects.add(new SchemaObject(as, name, definition, rs.getString(4),
              Set.copyOf(Arrays.asList((String[]) rs.getArray(8).getArray())), rs.getBoolean(6), rowTypes));
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
                      WHERE r.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid),
               ARRAY(SELECT DISTINCT d.refobjid::regprocedure::text FROM pg_rewrite r
                       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                      WHERE r.ev_class = c.oid AND d.refclassid = 'pg_proc'::regclass AND d.refobjid >= %d)
          FROM pg_class c
         WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY (?::bigint[]::oid[]) AND %s
         ORDER BY 2
        """.formatted(FIRST_USER_OID, NOT_FROM_EXTENSION.formatted("c.oid"));
    record View(long oid, String name, boolean materialized, String definition, String comment, String options,
        Set<Long> reads, List<String> routines) {}
    Map<Long, View> pending = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Set<Long> reads = oids(rs.getArray(7));
          String def = rs.getString(4).strip();
          pending.put(rs.getLong(1), new View(rs.getLong(1), rs.getString(2), rs.getString(3).equals("m"),
              def.endsWith(";") ? def.substring(0, def.length() - 1) : def, rs.getString(5), rs.getString(6), reads,
              List.of((String[]) rs.getArray(8).getArray())));
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
        if (v.reads().stream().allMatch(r -> r < FIRST_USER_OID || available.contains(r))
            && v.routines().stream().noneMatch(skippedRoutines::contains)) {
          it.remove();
          available.add(v.oid());
          carried.add(v.oid());
          names.put(v.oid(), v.name());
          SchemaObject.Kind kind = v.materialized() ? SchemaObject.Kind.MATERIALIZED_VIEW : SchemaObject.Kind.VIEW;
          Set<String> reads = new HashSet<>();
          v.reads().stream().filter(names::containsKey).forEach(r -> reads.add(names.get(r)));
          reads.addAll(v.routines());
          objects.add(new SchemaObject(kind, v.name(), new ObjectDefinition.View(v.definition(),
              v.options() == null ? "" : v.options(), v.materialized() ? indexes(v.oid()) : List.of()), v.comment(),
              reads, true));
          progress = true;
        }
      }
    }
    for (View v : pending.values()) {
      String routine = v.routines().stream().filter(skippedRoutines::contains).findFirst().orElse(null);
      skipped.add(new SkippedObject(v.materialized() ? "materialized view" : "view", v.name(), routine != null
          ? "it uses " + routine + ", which is not carried: create both on the target by hand"
          : "it reads a relation that is not migrated (a table filter leaves it out): include it, or create the"
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
          result.add(rs.getString(1));
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
          if (skippedRoutines.contains(rs.getString(8))) {
            skipped.add(new SkippedObject("trigger", rs.getString(1), "its function " + rs.getString(8) + " is not"
                + " carried: create it on the target, then the trigger"));
            continue;
          }
          if (!rs.getBoolean(9)) {
            skipped.add(new SkippedObject("trigger", rs.getString(1), "its function " + rs.getString(8) + " is in a"
                + " schema without migrated tables, so it is not carried: create it on the target, then the trigger"));
            continue;
          }
          objects.add(new SchemaObject(SchemaObject.Kind.TRIGGER, rs.getString(1), new ObjectDefinition.Trigger(
              rs.getString(2), rs.getString(6), rs.getString(7), rs.getBoolean(5), rs.getString(4).equals("D")),
              rs.getString(3), Set.of(), true));
        }
      }
    }
  }

  /** Rules of migrated tables and views (not a view's own {@code _RETURN}), created after the load. */
  private void readRules(Set<Long> relations) throws SQLException {
    String sql = """
        SELECT quote_ident(r.rulename) || ' ON ' || r.ev_class::regclass::text, pg_get_ruledef(r.oid, true),
               obj_description(r.oid, 'pg_rewrite')
          FROM pg_rewrite r
         WHERE r.rulename <> '_RETURN' AND r.ev_class = ANY (?::bigint[]::oid[])
         ORDER BY 1
        """;
    read(sql, relations.toArray(), rs -> {
      objects.add(new SchemaObject(SchemaObject.Kind.RULE, rs.getString(1),
          new ObjectDefinition.Rule(rs.getString(2).strip().replaceFirst(";$", "")), rs.getString(3), Set.of(), true));
    });
  }

  /**
   * Row-level security of migrated tables: each policy, and whether the table has row-level
   * security on (and forced) at all.
   */
  private void readPolicies() throws SQLException {
    String sql = """
        SELECT quote_ident(p.polname) || ' ON ' || c.oid::regclass::text, quote_ident(p.polname), c.oid::regclass::text,
               p.polpermissive,
               CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                             WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END FROM unnest(p.polroles) r),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
               obj_description(p.oid, 'pg_policy')
          FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
         WHERE c.oid = ANY (?::bigint[]::oid[])
         ORDER BY 1
        """;
    read(sql, tables.toArray(), rs -> objects.add(new SchemaObject(SchemaObject.Kind.POLICY, rs.getString(1),
        new ObjectDefinition.Policy(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
            List.of((String[]) rs.getArray(6).getArray()), rs.getString(7), rs.getString(8)),
        rs.getString(9), Set.of(), true)));
    read("""
        SELECT c.oid::regclass::text, c.relforcerowsecurity FROM pg_class c
         WHERE c.relrowsecurity AND c.oid = ANY (?::bigint[]::oid[]) ORDER BY 1
        """, tables.toArray(), rs -> objects.add(new SchemaObject(SchemaObject.Kind.ROW_SECURITY, rs.getString(1),
        new ObjectDefinition.RowSecurity(rs.getBoolean(2)), null, Set.of(), true)));
  }

  /** Extended statistics of migrated tables, created with the tables so that ANALYZE after the load fills them. */
  private void readStatistics() throws SQLException {
    String sql = """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(s.stxname), pg_get_statisticsobjdef(s.oid),
               obj_description(s.oid, 'pg_statistic_ext'), s.stxstattarget
          FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
         WHERE s.stxrelid = ANY (?::bigint[]::oid[])
         ORDER BY 1
        """;
    read(sql, tables.toArray(), rs -> {
      int target = rs.getInt(4);
      boolean byDefault = rs.wasNull() || target < 0; // -1 before PostgreSQL 17, NULL since
      objects.add(new SchemaObject(SchemaObject.Kind.STATISTICS, rs.getString(1),
          new ObjectDefinition.Statistics(rs.getString(2), byDefault ? null : target), rs.getString(3), Set.of(), true));
    });
  }

  /**
   * Comments on the indexes and constraints of migrated tables (not a partition's copies of its
   * parent's) and on domain constraints; those on tables are set once finalize has built them.
   */
  private void readConstraintComments() throws SQLException {
    String sql = """
        SELECT 'INDEX ' || i.indexrelid::regclass::text, obj_description(i.indexrelid, 'pg_class'), true,
               (SELECT n.nspname || '.' || c.relname || ' ' || ic.relname
                  FROM pg_class ic, pg_namespace n WHERE ic.oid = i.indexrelid AND n.oid = c.relnamespace)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE i.indrelid = ANY (?::bigint[]::oid[]) AND NOT c.relispartition
           AND obj_description(i.indexrelid, 'pg_class') IS NOT NULL
        UNION ALL
        SELECT 'CONSTRAINT ' || quote_ident(k.conname) || ' ON '
               || CASE WHEN k.contypid <> 0 THEN 'DOMAIN ' || k.contypid::regtype::text ELSE k.conrelid::regclass::text END,
               obj_description(k.oid, 'pg_constraint'), k.contypid = 0,
               (SELECT n.nspname || '.' || c.relname || ' ' || k.conname
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = k.conrelid)
          FROM pg_constraint k
         WHERE (k.conrelid = ANY (?::bigint[]::oid[]) AND k.conparentid = 0
                OR k.contypid IN (SELECT oid FROM pg_type WHERE typnamespace = ANY (?::bigint[]::oid[])))
           AND obj_description(k.oid, 'pg_constraint') IS NOT NULL
         ORDER BY 1
        """;
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", tables.toArray()));
      ps.setArray(2, connection.createArrayOf("bigint", tables.toArray()));
      ps.setArray(3, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          // What it reads: the post-data statement that builds the index or constraint, by its subject.
          Set<String> builtBy = rs.getString(4) == null ? Set.of() : Set.of(rs.getString(4));
          objects.add(new SchemaObject(SchemaObject.Kind.COMMENT, rs.getString(1),
              new ObjectDefinition.Comment(rs.getString(2)), null, builtBy, rs.getBoolean(3)));
        }
      }
    }
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  /** Runs {@code sql} with {@code oids} as its one parameter, handing each row to {@code row}. */
  private void read(String sql, Object[] oids, RowReader row) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", oids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          row.read(rs);
        }
      }
    }
  }

  /** Operators of the schemas, from pg_operator, their options as {@code CREATE OPERATOR} lists them. */
  private void readOperators() throws SQLException {
    String sql = """
        SELECT o.oid::regoperator::text, quote_ident(n.nspname) || '.' || o.oprname,
               concat_ws(', ',
                 'FUNCTION = ' || o.oprcode::regproc::text,
                 CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || format_type(o.oprleft, NULL) END,
                 CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || format_type(o.oprright, NULL) END,
                 (SELECT 'COMMUTATOR = OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
                    FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom),
                 (SELECT 'NEGATOR = OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
                    FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprnegate),
                 CASE WHEN o.oprrest <> 0 THEN 'RESTRICT = ' || o.oprrest::regproc::text END,
                 CASE WHEN o.oprjoin <> 0 THEN 'JOIN = ' || o.oprjoin::regproc::text END,
                 CASE WHEN o.oprcanhash THEN 'HASHES' END,
                 CASE WHEN o.oprcanmerge THEN 'MERGES' END),
               obj_description(o.oid, 'pg_operator'), o.oprcode::regprocedure::text
          FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
         WHERE o.oprnamespace = ANY (?::bigint[]::oid[]) AND o.oprcode <> 0 AND %s
         ORDER BY 1
        """.formatted(NOT_FROM_EXTENSION.formatted("o.oid"));
    read(sql, schemaOids, rs -> objects.add(new SchemaObject(SchemaObject.Kind.OPERATOR, rs.getString(1),
        new ObjectDefinition.Operator(rs.getString(2), rs.getString(3)), rs.getString(4), Set.of(rs.getString(5)),
        true)));
  }

  /** Casts from or to a type of the schemas, or done by one of their functions. */
  private void readCasts() throws SQLException {
    String sql = """
        SELECT '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')',
               format_type(c.castsource, NULL), format_type(c.casttarget, NULL), c.castmethod::text,
               CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END, c.castcontext::text,
               obj_description(c.oid, 'pg_cast'),
               ARRAY(SELECT c.castfunc::regprocedure::text WHERE c.castfunc <> 0)
          FROM pg_cast c
         WHERE c.oid >= %d AND %s
           AND (EXISTS (SELECT 1 FROM pg_type t WHERE t.oid IN (c.castsource, c.casttarget)
                          AND t.typnamespace = ANY (?::bigint[]::oid[]))
                OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.oid = c.castfunc
                             AND p.pronamespace = ANY (?::bigint[]::oid[])))
         ORDER BY 1
        """.formatted(FIRST_USER_OID, NOT_FROM_EXTENSION.formatted("c.oid"));
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("bigint", schemaOids));
      ps.setArray(2, connection.createArrayOf("bigint", schemaOids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          objects.add(new SchemaObject(SchemaObject.Kind.CAST, rs.getString(1), new ObjectDefinition.Cast(rs.getString(2),
              rs.getString(3), rs.getString(4).charAt(0), rs.getString(5), rs.getString(6).charAt(0)), rs.getString(7),
              Set.of((String[]) rs.getArray(8).getArray()), true));
        }
      }
    }
  }

  /** What the migrated tables and schemas have that is not carried. */
  private void readNotCarried() throws SQLException {
    readInSchemasLeftOut();
    notCarried("operator class", "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.opcname) || ' USING '"
        + " || a.amname FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod"
        + " WHERE c.opcnamespace = ANY (?::bigint[]::oid[]) AND " + NOT_FROM_EXTENSION.formatted("c.oid")
        + " ORDER BY 1", schemaOids, "operator classes are not carried: create it on the target before finalize");
    notCarried("operator family", "SELECT quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' USING '"
        + " || a.amname FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod"
        + " WHERE f.opfnamespace = ANY (?::bigint[]::oid[]) AND " + NOT_FROM_EXTENSION.formatted("f.oid")
        + " AND NOT EXISTS (SELECT 1 FROM pg_opclass c WHERE c.opcfamily = f.oid) ORDER BY 1", schemaOids,
        "operator families are not carried: create it on the target before finalize");
    notCarried("foreign table", "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'f'"
        + " AND c.relnamespace = ANY (?::bigint[]::oid[]) AND " + NOT_FROM_EXTENSION.formatted("c.oid") + " ORDER BY 1",
        schemaOids, "foreign tables are not carried: create its server, user mapping and table on the target (a"
        + " foreign partition: then ATTACH it to its parent, which until then refuses the rows of its range)");
    notCarried("text search configuration", "SELECT c.oid::regconfig::text FROM pg_ts_config c"
        + " WHERE c.cfgnamespace = ANY (?::bigint[]::oid[]) AND " + NOT_FROM_EXTENSION.formatted("c.oid")
        + " ORDER BY 1", schemaOids, "text search configurations are not carried: create it on the target before"
        + " create (a default, index or view may name it)");
    notCarried("text search dictionary", "SELECT d.oid::regdictionary::text FROM pg_ts_dict d"
        + " WHERE d.dictnamespace = ANY (?::bigint[]::oid[]) AND " + NOT_FROM_EXTENSION.formatted("d.oid")
        + " ORDER BY 1", schemaOids, "text search dictionaries are not carried: create it on the target before"
        + " create");
  }

  /**
   * The routines, views, standalone sequences and types of the schemas whose tables a filter leaves
   * out: those schemas are not carried.
   */
  private void readInSchemasLeftOut() throws SQLException {
    String sql = """
        SELECT o.kind, o.name, n.nspname FROM pg_namespace n, LATERAL (
            SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
                   p.oid::regprocedure::text, p.oid FROM pg_proc p
             WHERE p.pronamespace = n.oid
               AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid
                                                           AND i.deptype = 'i')
          UNION ALL
            SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'sequence' END,
                   c.oid::regclass::text, c.oid FROM pg_class c
             WHERE c.relnamespace = n.oid AND c.relkind IN ('v', 'm', 'S')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                           AND d.deptype IN ('a', 'i'))
          UNION ALL
            SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, t.oid::regtype::text, t.oid FROM pg_type t
             WHERE t.typnamespace = n.oid AND (t.typtype IN ('e', 'd', 'r')
                   OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
          ) o(kind, name, oid)
         WHERE %s AND n.nspname NOT IN ('pg2citus', 'citus_internal') AND NOT n.oid = ANY (?::bigint[]::oid[])
           AND %s
         ORDER BY 3, 1, 2
        """.formatted(CatalogReader.USER_SCHEMAS, NOT_FROM_EXTENSION.formatted("o.oid"));
    read(sql, schemaOids, rs -> skipped.add(new SkippedObject(rs.getString(1), rs.getString(2), "it is in schema "
        + rs.getString(3) + ", whose tables a table filter leaves out, so the schema is not carried: include a"
        + " table of it, or create the schema and the object on the target")));
  }

  private void notCarried(String kind, String sql, Object[] oids, String reason) throws SQLException {
    read(sql, oids, rs -> skipped.add(new SkippedObject(kind, rs.getString(1), reason)));
  }

  /**
   * An aggregate's options from pg_aggregate, as {@code CREATE AGGREGATE} lists them and in pg_dump's
   * order, for the pg_proc row {@code p}. Support functions print qualified (search_path is
   * pg_catalog).
   */
  private static final String AGGREGATE_OPTIONS = """
      (SELECT concat_ws(', ',
                 'SFUNC = ' || a.aggtransfn::regproc::text,
                 'STYPE = ' || format_type(a.aggtranstype, NULL),
                 CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END,
                 CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regproc::text END,
                 CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
                 CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = '
                      || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END
                 END,
                 CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text END,
                 CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regproc::text END,
                 CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text END,
                 'INITCOND = ' || quote_literal(a.agginitval),
                 CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regproc::text
                      || ', MINVFUNC = ' || a.aggminvtransfn::regproc::text
                      || ', MSTYPE = ' || format_type(a.aggmtranstype, NULL) END,
                 CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END,
                 CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text END,
                 CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
                 'MINITCOND = ' || quote_literal(a.aggminitval),
                 CASE WHEN a.aggsortop <> 0 THEN (SELECT 'SORTOP = OPERATOR(' || quote_ident(n.nspname) || '.'
                                                         || o.oprname || ')'
                                                    FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                                                   WHERE o.oid = a.aggsortop) END,
                 CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END,
                 CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END)
         FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
      """;
}
