package dev.pg2citus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An error pg2citus has no remedy of its own for reaches the user as one line, never as a stack trace:
 * what was being done, the cause's message with passwords masked, and what to do next, with exit code
 * 5; {@code --verbose} adds the stack trace. Provoked for real: the reject files' directory is a file,
 * so writing them fails after the rows are in.
 */
class UnexpectedErrorTest {
  private static final String ROLE = "pg2citus_unexpected";
  private static final String PASSWORD = "unexpected-Secret-7";

  @Test
  void aRejectsDirectoryThatIsAFileStopsTheRunWithOneLineAndResumeFinishesIt(@TempDir Path dir) throws Exception {
    TestPostgres.passwordRole(ROLE, PASSWORD, "SUPERUSER");
    TwoRejectedRows dbs = TwoRejectedRows.create("unexpected");
    Path config = dir.resolve("unexpected.yaml");
    Files.writeString(config, """
        source:
          url: %s
        target:
          url: %s?user=%s&password=%s
          plain-postgresql: true
        load:
          data-only: true
          on-error: reject
        """.formatted(TestPostgres.jdbcUrlWithUser(dbs.source()), TestPostgres.jdbcUrl(dbs.target()), ROLE, PASSWORD));
    Path notADirectory = Files.writeString(dir.resolve("rejects"), "a file where the reject files would go\n");
    Path json = dir.resolve("summary.json");

    CliRun stopped = CliRun.of("migrate", "--config", config.toString(), "--rejects-dir", notADirectory.toString(),
        "--summary-json", json.toString());
    assertEquals(ExitCodes.UNEXPECTED, stopped.exitCode(), stopped.all());
    assertEquals(1, stopped.err().lines().count(), "one line: " + stopped.err());
    assertFalse(stopped.err().contains("\tat "), "no stack trace: " + stopped.err());
    assertFalse(stopped.all().contains(PASSWORD), "the password shows: " + stopped.all());
    assertTrue(stopped.err().startsWith("error: migrate, in the data phase (finalize beside it) stopped on an"
        + " unexpected FileAlreadyExistsException: " + notADirectory), stopped.err());
    assertTrue(stopped.err().contains("the run can be continued with pg2citus migrate --resume once the cause is"
        + " fixed; rerun with --verbose for the stack trace"), stopped.err());
    assertTrue(Files.readString(json).contains("\"outcome\" : \"not-complete\""), Files.readString(json));
    assertTrue(stopped.out().contains("FileAlreadyExistsException"), "the summary says why: " + stopped.out());

    // --verbose: the same line, then the stack trace of the cause.
    CliRun verbose = CliRun.of("migrate", "--resume", "--verbose", "--config", config.toString(), "--rejects-dir",
        notADirectory.toString(), "--summary-json", json.toString());
    assertEquals(ExitCodes.UNEXPECTED, verbose.exitCode(), verbose.all());
    assertTrue(verbose.err().startsWith("error: migrate, in the data phase"), verbose.err());
    assertTrue(verbose.err().contains("java.nio.file.FileAlreadyExistsException: " + notADirectory + "\n\tat "),
        verbose.err());
    assertFalse(verbose.all().contains(PASSWORD), "the password shows: " + verbose.all());

    // As the line said: once the cause is fixed, --resume finishes the run.
    Path rejects = dir.resolve("rejects-dir");
    CliRun resumed = CliRun.of("migrate", "--resume", "--config", config.toString(), "--rejects-dir",
        rejects.toString(), "--summary-json", json.toString());
    assertEquals(ExitCodes.ROWS_REJECTED, resumed.exitCode(), resumed.all());
    assertEquals(2, Files.readAllLines(rejects.resolve("public.items.dat")).size());
    assertEquals(28, TestPostgres.scalar(dbs.target(), "SELECT count(*) FROM items"));
  }
}
