package dev.pg2citus.pipeline;

import dev.pg2citus.runrecord.Rejects;
import dev.pg2citus.runrecord.RunRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reject files of a run, written from its record: per table the rows as COPY text, and their reasons. */
final class RejectFiles {
  private static final Logger LOG = LoggerFactory.getLogger(RejectFiles.class);

  private final Path directory;

  RejectFiles(Path directory) {
    this.directory = directory;
  }

  /**
   * Writes {@code <table>.dat} (the source rows, as COPY text) and {@code <table>.log} (reason and row);
   * returns the {@code .dat} files. Written whole each time, so it may run again after a lost connection.
   */
  List<Path> write(Connection target) throws SQLException, IOException {
    List<Path> written = new ArrayList<>();
    Rejects rejects = RunRecord.on(target).rejects();
    for (String table : rejects.tables()) {
      // A quoted name may hold a path separator: the files stay in the directory whatever it is called.
      String file = table.replaceAll("[/\\\\\\x00]", "_");
      Path dat = directory.resolve(file + ".dat");
      Path log = directory.resolve(file + ".log");
      Files.createDirectories(directory);
      long n;
      try (PrintWriter datOut = new PrintWriter(Files.newBufferedWriter(dat, StandardCharsets.UTF_8));
          PrintWriter logOut = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
        n = rejects.read(table, (row, reason) -> {
          datOut.println(row);
          logOut.println(reason.replace('\n', ' ') + "\n  row: " + row);
        });
      }
      LOG.warn("{}: {} rejected rows written to {}", table, n, dat);
      written.add(dat);
    }
    return written;
  }

}
