package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.DdlExecutor;
import dev.pg2citus.ddl.SchemaTool;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A target's keys, indexes, foreign keys and checks as text to compare, and the reference they are
 * compared with: the schema as the serial path builds it, every post-data statement one at a time
 * in plan order.
 */
final class SchemaDefinitions {
  private static final String USER_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema', 'pg2citus', 'citus',"
      + " 'citus_internal', 'columnar', 'columnar_internal')";

  private SchemaDefinitions() {}

  /** Every constraint and index of the user schemas, with its definition, sorted. */
  static List<String> of(Connection c) throws SQLException {
    List<String> result = new ArrayList<>();
    try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT con.conrelid::regclass || ' ' || con.contype::text || ' ' || con.conname || ' '"
            + " || pg_get_constraintdef(con.oid) FROM pg_constraint con"
            + " JOIN pg_namespace n ON n.oid = con.connamespace WHERE con.conrelid <> 0 AND n.nspname " + USER_SCHEMAS
            + " UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname " + USER_SCHEMAS
            + " ORDER BY 1")) {
      while (rs.next()) {
        result.add(rs.getString(1));
      }
    }
    return result;
  }

  /** Creates the schema of {@code config} on its target, then runs the finalize statements one by one. */
  static void buildSerially(MigrationConfig config) throws SQLException {
    SchemaTool tool = SchemaTool.load(config);
    PhaseReport create = tool.create();
    assertFalse(create.failed(), create::render);
    PhaseReport finalize = new PhaseReport("finalize");
    try (Connection target = config.target().open()) {
      DdlExecutor.run(target, tool.scripts().finalizeSchema(), finalize);
    }
    assertFalse(finalize.failed(), finalize::render);
  }
}
