package dev.pg2citus.pipeline;

import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.report.MigrationSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs migrations in tests on the real Direct runner, with its immutability and encodability
 * checks on (they catch DoFns that mutate or cannot encode what they emit).
 */
public final class Migrations {
  private Migrations() {}

  public static PipelineOptions directRunner(int parallelism) {
    return PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--targetParallelism=" + parallelism).create();
  }

  /** A fresh migration with rejects in a temporary directory. */
  public static MigrationSummary run(MigrationConfig config) throws SQLException, IOException {
    return run(config, false, rejectsDir());
  }

  public static MigrationSummary run(MigrationConfig config, boolean resume, Path rejects) throws SQLException, IOException {
    return new Migration(config, directRunner(3), new Migration.Options(resume, rejects, 60)).run();
  }

  /** A new directory for reject files under the module's build directory, which the next clean removes. */
  public static Path rejectsDir() throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "rejects")), "run");
  }
}
