package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The same migration on Beam's Flink runner (an embedded Flink), both join paths included. */
class FlinkRunnerTest {
  @Test
  void tutorialMigratesOnEmbeddedFlink() throws Exception {
    String src = TestPostgres.freshDatabase("flink_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE)
        + "DELETE FROM clicks WHERE id % 20 <> 0; DELETE FROM impressions WHERE id % 40 <> 0;");
    String dst = TestPostgres.freshDatabase("flink_dst");
    // clicks and impressions take the shuffle path (their maps are estimated at 5,000 keys), ads the side input.
    MigrationConfig config = TestConfigs.onTestPostgres(src, dst, """
        distribute: [companies using id]
        load:
          partitions-per-table: 2
          side-input-max-keys: 4000
          verify: checksums
        """).withPlainTarget();
    MigrationSummary summary = new Migration(config,
        PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--parallelism=2").create(),
        new Migration.Options(false, Migrations.rejectsDir(), 60)).run();

    assertTrue(summary.ok(), summary::render);
    assertEquals(5, summary.tables().size());
    try (Connection c = TestPostgres.connect(dst); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM clicks k JOIN ads a ON a.id = k.ad_id"
            + " JOIN campaigns ca ON ca.id = a.campaign_id WHERE k.company_id = ca.company_id")) {
      rs.next();
      assertEquals(5000, rs.getLong(1), "every click carries its campaign's company");
    }
  }
}
