package dev.pg2citus.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the PostgreSQL command-line tools, as the {@code postgres} OS user when the JVM is root. */
final class Exec {
  /** The OS account that owns the data directory when the JVM runs as root. */
  static final String SERVER_OS_USER = "postgres";

  private static final boolean ROOT = detectRoot();

  private Exec() {}

  /** True when this JVM runs as root, where initdb and postgres refuse to run directly. */
  static boolean runningAsRoot() {
    return ROOT;
  }

  /** The command, wrapped in {@code runuser} when the JVM is root. */
  static List<String> asServerUser(List<String> command) {
    if (!ROOT) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SERVER_OS_USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Runs a command to completion and returns its combined stdout and stderr.
   *
   * @throws IOException if it cannot start, exits non-zero or outlives the timeout; the message
   *     holds its output
   */
  static String run(List<String> command, Path workingDir, Duration timeout) throws IOException {
    // A file rather than a pipe: nothing to drain, and a server that pg_ctl forks cannot hold it
    // open.
    Path output = Files.createTempFile("pg2citus-exec", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      if (workingDir != null) {
        // The server tools look up their own path and may fail in a directory they cannot read.
        builder.directory(workingDir.toFile());
      }
      Process process = builder.start();
      boolean finished;
      try {
        finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } finally {
        if (process.isAlive()) {
          process.destroyForcibly();
        }
      }
      if (!finished) {
        throw new IOException(
            String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command)
                + " exited with "
                + process.exitValue()
                + ":\n"
                + text.strip());
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static boolean detectRoot() {
    if ("root".equals(System.getProperty("user.name"))) {
      return true;
    }
    try {
      return "0".equals(run(List.of("id", "-u"), null, Duration.ofSeconds(10)).strip());
    } catch (IOException e) {
      return false; // no id(1): not a Unix where root matters
    }
  }
}
