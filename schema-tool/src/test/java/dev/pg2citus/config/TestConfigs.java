package dev.pg2citus.config;

import dev.pg2citus.testing.TestPostgres;
import java.util.Map;

/** Builds configurations for tests: connection sections for real databases, plus the test's own YAML. */
public final class TestConfigs {
  private TestConfigs() {}

  /** A configuration from source and target on the shared PostgreSQL, and {@code yaml} for the rest. */
  public static MigrationConfig onTestPostgres(String sourceDb, String targetDb, String yaml) {
    return of(TestPostgres.jdbcUrl(sourceDb), TestPostgres.jdbcUrl(targetDb), TestPostgres.user(), yaml);
  }

  /** A configuration from explicit URLs and user (no password), and {@code yaml} for the rest. */
  public static MigrationConfig of(String sourceUrl, String targetUrl, String user, String yaml) {
    String text = "source:\n  url: '" + sourceUrl + "'\n  user: " + user + "\n"
        + "target:\n  url: '" + targetUrl + "'\n  user: " + user + "\n" + yaml;
    return new ConfigLoader(Map.<String, String>of()::get).parse(text, "test.yaml", ConfigLoader.Overrides.none());
  }
}
