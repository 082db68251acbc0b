package dev.pg2citus.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** An installed PostgreSQL server: the directory holding its initdb, pg_ctl and postgres. */
record PgBinaries(Path binDir) {
  /** Points at the bin directory to use, overriding discovery. */
  static final String BINDIR_ENV = "PG2CITUS_PG_BINDIR";

  private static final Path DEBIAN_ROOT = Paths.get("/usr/lib/postgresql");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

  /**
   * The server binaries to use: {@value #BINDIR_ENV}, else the newest {@code
   * /usr/lib/postgresql/<v>/bin}, else the directory of {@code initdb} on PATH.
   *
   * @throws IllegalStateException if {@value #BINDIR_ENV} names a directory without the tools
   */
  static Optional<PgBinaries> find() {
    String fromEnv = System.getenv(BINDIR_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      PgBinaries chosen = new PgBinaries(Paths.get(fromEnv));
      if (!chosen.hasServerTools()) {
        throw new IllegalStateException(BINDIR_ENV + "=" + fromEnv + " has no initdb and pg_ctl");
      }
      return Optional.of(chosen);
    }
    return newestDebianInstall().or(PgBinaries::fromPath);
  }

  Path tool(String name) {
    return binDir.resolve(name);
  }

  boolean hasServerTools() {
    return Files.isExecutable(tool("initdb")) && Files.isExecutable(tool("pg_ctl"));
  }

  /** The major version, from {@code postgres --version}; empty if that cannot be run. */
  Optional<String> majorVersion() {
    try {
      Matcher m =
          VERSION.matcher(
              Exec.run(List.of(tool("postgres").toString(), "--version"), null, TOOL_TIMEOUT));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Where extension control files live: {@code <sharedir>/extension}. */
  Optional<Path> extensionDir() {
    List<Path> candidates = new ArrayList<>();
    pgConfig("--sharedir").ifPresent(candidates::add);
    majorVersion().ifPresent(v -> candidates.add(Paths.get("/usr/share/postgresql", v)));
    candidates.add(binDir.resolveSibling("share").resolve("postgresql"));
    candidates.add(binDir.resolveSibling("share"));
    return candidates.stream()
        .map(dir -> dir.resolve("extension"))
        .filter(Files::isDirectory)
        .findFirst();
  }

  /** Where extension libraries live ({@code pg_config --pkglibdir}, else the Debian layout). */
  Optional<Path> libDir() {
    return pgConfig("--pkglibdir")
        .or(() -> Optional.of(binDir.resolveSibling("lib")).filter(Files::isDirectory));
  }

  /** Why Citus cannot be loaded by this server, or empty when it can. */
  Optional<String> citusProblem() {
    Optional<Path> extensions = extensionDir();
    if (extensions.isEmpty()) {
      return Optional.of("no extension directory found for " + binDir);
    }
    Path control = extensions.get().resolve("citus.control");
    if (!Files.isRegularFile(control)) {
      return Optional.of("no citus.control in " + extensions.get());
    }
    Optional<Path> lib = libDir();
    if (lib.isPresent() && !Files.isRegularFile(lib.get().resolve("citus.so"))) {
      return Optional.of("citus.control is installed but there is no citus.so in " + lib.get());
    }
    return Optional.empty();
  }

  private Optional<Path> pgConfig(String option) {
    Path pgConfig = tool("pg_config");
    if (!Files.isExecutable(pgConfig)) {
      return Optional.empty();
    }
    try {
      String dir = Exec.run(List.of(pgConfig.toString(), option), null, TOOL_TIMEOUT).strip();
      return dir.isEmpty() ? Optional.empty() : Optional.of(Paths.get(dir));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<PgBinaries> newestDebianInstall() {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions
          .filter(dir -> dir.getFileName().toString().matches("\\d+(\\.\\d+)*"))
          .max(
              Comparator.comparing(
                  dir -> dir.getFileName().toString(), PgBinaries::compareVersions))
          .map(dir -> new PgBinaries(dir.resolve("bin")))
          .filter(PgBinaries::hasServerTools);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<PgBinaries> fromPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      PgBinaries onPath = new PgBinaries(Paths.get(entry));
      if (onPath.hasServerTools()) {
        // Follow a symlinked initdb to its real bin directory, which also holds postgres and
        // pg_config.
        try {
          PgBinaries real = new PgBinaries(onPath.tool("initdb").toRealPath().getParent());
          return Optional.of(real.hasServerTools() ? real : onPath);
        } catch (IOException e) {
          return Optional.of(onPath);
        }
      }
    }
    return Optional.empty();
  }

  /** Compares dotted numeric versions so that 10 sorts after 9.6. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int left = i < x.length ? Integer.parseInt(x[i]) : 0;
      int right = i < y.length ? Integer.parseInt(y[i]) : 0;
      if (left != right) {
        return Integer.compare(left, right);
      }
    }
    return 0;
  }
}
