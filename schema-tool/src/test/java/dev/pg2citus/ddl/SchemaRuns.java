package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.PhaseReport;
import java.sql.SQLException;

/** Runs both schema phases and fails the test, with the phase summary, on any failed statement. */
final class SchemaRuns {
  private SchemaRuns() {}

  static void createAndFinalize(MigrationConfig config) throws SQLException {
    SchemaTool tool = SchemaTool.load(config);
    PhaseReport create = tool.create();
    assertFalse(create.failed(), create::render);
    PhaseReport finalize = tool.finalizeSchema();
    assertFalse(finalize.failed(), finalize::render);
  }
}
