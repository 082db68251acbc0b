package dev.pg2citus.pipeline;

import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a database holds beyond its tables' rows, one line per object, sorted, for comparing a
 * source with its target: schemas, extensions (schema, version), routines, views and materialized
 * views with their definitions, large objects (owner, grants, comment, contents' digest), and the
 * database's settings and its roles' settings in it. Citus' own objects and the run record are left out.
 */
final class WholeDatabase {
  private static final String OURS = "('pg2citus', 'citus', 'citus_internal', 'columnar', 'columnar_internal')";
  private static final String CONTENTS = """
      SELECT 'schema ' || n.nspname || ' owner ' || n.nspowner::regrole FROM pg_namespace n
       WHERE n.nspname NOT LIKE 'pg\\_%%' AND n.nspname NOT IN ('information_schema') AND n.nspname NOT IN %1$s
      UNION ALL
      SELECT 'extension ' || x.extname || ' ' || x.extnamespace::regnamespace || ' ' || x.extversion
        FROM pg_extension x WHERE x.extname NOT IN ('plpgsql', 'citus', 'citus_columnar')
      UNION ALL
      SELECT 'routine ' || p.oid::regprocedure || ': ' || pg_get_functiondef(p.oid) FROM pg_proc p
       WHERE p.prokind IN ('f', 'p') AND p.pronamespace::regnamespace::text NOT LIKE 'pg\\_%%'
         AND p.pronamespace::regnamespace::text NOT IN ('information_schema') AND p.pronamespace::regnamespace::text NOT IN %1$s
         AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e')
      UNION ALL
      SELECT c.relkind::text || ' ' || c.oid::regclass || ': ' || pg_get_viewdef(c.oid, true) FROM pg_class c
       WHERE c.relkind IN ('v', 'm') AND c.relnamespace::regnamespace::text NOT LIKE 'pg\\_%%'
         AND c.relnamespace::regnamespace::text NOT IN ('information_schema') AND c.relnamespace::regnamespace::text NOT IN %1$s
         AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
      UNION ALL
      SELECT 'large object ' || m.oid || ' owner ' || m.lomowner::regrole || ' acl ' || coalesce(m.lomacl::text, '-')
             || ' comment ' || coalesce(obj_description(m.oid, 'pg_largeobject'), '-') || ' md5 ' || md5(lo_get(m.oid))
        FROM pg_largeobject_metadata m
      UNION ALL
      SELECT 'setting ' || CASE WHEN s.setrole = 0 THEN 'database' ELSE s.setrole::regrole::text END || ' ' || array_to_string(s.setconfig, ' ')
        FROM pg_db_role_setting s WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY 1
      """.formatted(OURS);

  private WholeDatabase() {}

  /** The lines of {@code database} on the test server. */
  static List<String> of(String database) throws SQLException {
    try (Connection c = TestPostgres.connect(database)) {
      return of(c);
    }
  }

  static List<String> of(Connection c) throws SQLException {
    return TestPostgres.rows(c, CONTENTS);
  }
}
