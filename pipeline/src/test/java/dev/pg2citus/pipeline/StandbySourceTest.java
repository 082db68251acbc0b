package dev.pg2citus.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.config.ConfigException;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.embedded.LocalPostgres;
import dev.pg2citus.report.MigrationSummary;
import dev.pg2citus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A hot standby as the source: refused before anything is written while WAL replay could cancel
 * the migration's reads (hot_standby_feedback off), migrated exactly once the standby says what it
 * reads.
 */
class StandbySourceTest {
  @Test
  void aStandbyWithoutFeedbackIsRefusedAndOneWithFeedbackMigrates() throws Exception {
    try (LocalPostgres primary = LocalPostgres.builder().withSetting("wal_level", "replica").start()) {
      primary.createDatabase("shop");
      try (Connection c = primary.connect("shop"); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g"
            + " FROM generate_series(1, 1000) g");
      }
      String dst = TestPostgres.freshDatabase("standby_dst");
      try (LocalPostgres standby = LocalPostgres.builder().standbyOf(primary)
          .withSetting("hot_standby_feedback", "off").start()) {
        ConfigException refused = assertThrows(ConfigException.class, () -> Migrations.run(config(standby, dst)));
        assertTrue(refused.getMessage().contains("is a hot standby with hot_standby_feedback off")
            && refused.getMessage().contains("set hot_standby_feedback = on"), refused.getMessage());
        assertEquals(0, TestPostgres.scalar(dst, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pg2citus'"),
            "nothing was written");
      }
      try (LocalPostgres standby = LocalPostgres.builder().standbyOf(primary)
          .withSetting("hot_standby_feedback", "on").start()) {
        MigrationSummary summary = Migrations.run(config(standby, dst));
        assertTrue(summary.ok(), summary::render);
        assertEquals(1000, TestPostgres.scalar(dst, "SELECT count(*) FROM items"));
      }
    }
  }

  private static dev.pg2citus.config.MigrationConfig config(LocalPostgres source, String dst) {
    return TestConfigs.of(source.jdbcUrl("shop"), TestPostgres.jdbcUrl(dst), source.user(), "").withPlainTarget();
  }
}
