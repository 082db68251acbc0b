package dev.pg2citus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code migrate} in a child JVM, killed (SIGKILL) the moment its target shows a given state. */
final class ChildMigration {
  /** A state of the target the test waits for. */
  interface Moment {
    boolean reached() throws Exception;
  }

  private ChildMigration() {}

  /**
   * Runs {@code migrate --config config} with one worker and kills it once {@code moment} is
   * reached; fails when the run ends first. The child's output goes to {@code dir/child.log}.
   */
  static void killWhen(Path config, Path dir, Moment moment) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.pg2citus.cli.Pg2Citus", "migrate", "--config",
        config.toString(), "--rejects-dir", dir.resolve("rejects").toString(), "--summary-json",
        dir.resolve("s.json").toString(), "--targetParallelism=1");
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
    Process child = pb.start();
    try {
      long deadline = System.currentTimeMillis() + 600_000; // a loaded machine takes minutes to reach some moments
      while (System.currentTimeMillis() < deadline && child.isAlive()) {
        if (moment.reached()) {
          child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
          return;
        }
        Thread.sleep(5);
      }
      throw new AssertionError("the child run ended before it could be killed:\n" + log(dir));
    } finally {
      child.destroyForcibly();
    }
  }

  private static String log(Path dir) throws IOException {
    return Files.readString(dir.resolve("child.log"));
  }
}
