package dev.pg2citus.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.client.program.ContextEnvironment;
import org.apache.flink.configuration.DeploymentOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a data phase on a Flink cluster needs from the launcher before it is submitted.
 *
 * <ul>
 *   <li>The job must be attached. The launcher holds the source snapshot open and every reader of
 *       the job imports it; a detached job would outlive the launcher's wait and read after the
 *       snapshot is gone, so {@code --attachedMode=false} and {@code flink run -d} are refused.
 *   <li>A cluster named by {@code --flinkMaster=HOST:PORT} is sent the job jar ({@code
 *       pg2citus-job.jar}, beside the launcher jar) unless {@code --filesToStage} names the jars.
 *       Beam would otherwise stage the launcher jar, which carries Flink itself.
 * </ul>
 */
final class FlinkSubmission {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkSubmission.class);
  /** The job jar's name; the build puts it beside the launcher jar. */
  static final String JOB_JAR = "pg2citus-job.jar";
  /** {@code --flinkMaster} values that do not name a cluster. */
  private static final Set<String> NOT_A_CLUSTER = Set.of("[local]", "[auto]", "[collection]");

  private FlinkSubmission() {}

  /** Checks and completes {@code options} when they run on Flink; other runners pass unchanged. */
  static void prepare(PipelineOptions options) {
    if (!FlinkRunner.class.equals(options.getRunner())) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!flink.getAttachedMode() || !clientIsAttached()) {
      throw new IllegalArgumentException("a detached Flink job cannot be used: the launcher holds the source"
          + " snapshot open while the job reads under it, so it must wait for the job (drop --attachedMode=false"
          + " or `flink run -d`)");
    }
    String master = flink.getFlinkMaster();
    if (master == null || NOT_A_CLUSTER.contains(master)) {
      return;
    }
    if (flink.getFilesToStage() == null) {
      Path jobJar = jobJar();
      if (!Files.isRegularFile(jobJar)) {
        throw new IllegalArgumentException("no job jar to send to the Flink cluster at " + master + ": " + jobJar
            + " is missing (build it with `mvn -DskipTests package`) or name one with --filesToStage=JAR");
      }
      flink.setFilesToStage(List.of(jobJar.toString()));
    }
    LOG.info("the data phase goes to the Flink cluster at {} with parallelism {}, staging {}", master,
        flink.getParallelism(), flink.getFilesToStage());
  }

  /** Under {@code flink run}, whether Flink's client waits for the job; elsewhere true. */
  private static boolean clientIsAttached() {
    ExecutionEnvironment context = ExecutionEnvironment.getExecutionEnvironment();
    return !(context instanceof ContextEnvironment) || context.getConfiguration().get(DeploymentOptions.ATTACHED);
  }

  /** {@value #JOB_JAR} beside the jar (or the classes directory's parent) this class was loaded from. */
  static Path jobJar() {
    try {
      Path from = Path.of(FlinkSubmission.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return from.getParent().resolve(JOB_JAR);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where pg2citus was loaded from", e);
    }
  }
}
