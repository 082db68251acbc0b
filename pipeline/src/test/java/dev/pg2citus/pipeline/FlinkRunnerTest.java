package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.embedded.EmbeddedDefault;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.testing.TestCitus;
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

  /** The shard write path on Flink, both join paths: the shard sinks travel with the copy workers. */
  @Test
  void shardPathOnEmbeddedFlink() throws Exception {
    TestCitus.assumeAvailable();
    String src = TestPostgres.freshDatabase("flink_shards_src");
    TestPostgres.execute(src, EmbeddedDefault.resource(EmbeddedDefault.SCHEMA_RESOURCE)
        + EmbeddedDefault.resource(EmbeddedDefault.DATA_RESOURCE)
        + "DELETE FROM clicks WHERE id % 20 <> 0; DELETE FROM impressions WHERE id % 40 <> 0;");
    String dst = TestCitus.freshDatabase("flink_shards_dst");
    MigrationConfig config = TestConfigs.of(TestPostgres.jdbcUrl(src), TestCitus.jdbcUrl(dst), TestPostgres.user(), """
        distribute: [companies using id]
        load:
          partitions-per-table: 2
          side-input-max-keys: 4000
          verify: checksums
          write-path: shards
        """);
    MigrationSummary summary = new Migration(config,
        PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--parallelism=2").create(),
        new Migration.Options(false, Migrations.rejectsDir(), 60)).run();

    assertTrue(summary.ok(), summary::render);
    assertTrue(summary.tables().stream().allMatch(MigrationSummary.TableRow::consistent), summary::render);
    assertTrue(summary.render().contains("5 of 5 tables straight into their shards"), summary::render);
    // Verification ran the placement check of every table on the shard path, per shard on its worker.
    assertTrue(summary.render().contains("placement checked: 5 tables written straight into their shards"),
        summary::render);
    assertTrue(summary.render().contains("every row lies in its shard's hash range"), summary::render);
  }
}
