package dev.pg2citus.pipeline;

import dev.pg2citus.catalog.CatalogReader;
import dev.pg2citus.catalog.LargeObject;
import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.ddl.DdlExecutor;
import dev.pg2citus.ddl.SchemaScripts;
import dev.pg2citus.read.SourceSnapshot;
import dev.pg2citus.report.PhaseReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObjectManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The large objects step, after the rows: every large object the source has in the run's snapshot
 * is created on the target with its OID (tables hold OIDs to point at them), its contents, and then
 * its comment, grants and owner. Each is committed on its own; one already on the target with the
 * same contents (an earlier run's) is not written again, so {@code --resume} redoes only what is
 * missing or different. Citus does not distribute large objects: they live in the coordinator's
 * database.
 */
final class LargeObjectCopy {
  private static final Logger LOG = LoggerFactory.getLogger(LargeObjectCopy.class);
  private static final int CHUNK = 1 << 20;

  private final MigrationConfig config;
  private final SchemaScripts scripts;

  LargeObjectCopy(MigrationConfig config, SchemaScripts scripts) {
    this.config = config;
    this.scripts = scripts;
  }

  /** Copies the large objects the snapshot {@code snapshotId} (null: none) sees; the report says what it did. */
  PhaseReport run(String snapshotId) throws SQLException {
    PhaseReport report = new PhaseReport("large objects");
    try (Connection source = config.source().open(); Connection target = config.target().open()) {
      SourceSnapshot.begin(source, snapshotId);
      List<LargeObject> objects = new CatalogReader(source).largeObjects();
      if (objects.isEmpty()) {
        return report;
      }
      LargeObjectManager from = source.unwrap(PGConnection.class).getLargeObjectAPI();
      long copied = 0;
      long bytes = 0;
      long kept = 0;
      for (LargeObject lo : objects) {
        long start = System.currentTimeMillis();
        target.setAutoCommit(false);
        try {
          LargeObjectManager to = target.unwrap(PGConnection.class).getLargeObjectAPI();
          if (exists(target, lo.oid()) && sameContents(from, to, lo.oid())) {
            kept++;
            target.commit();
          } else {
            bytes += write(target, from, to, lo.oid());
            target.commit();
            copied++;
            report.record("large objects", System.currentTimeMillis() - start, null);
          }
        } catch (SQLException e) {
          target.rollback();
          String error = "large object " + lo.oid() + ": " + ConnectionSpec.redact(String.valueOf(e.getMessage()))
              + " (the objects copied are kept: fix the cause and run migrate --resume)";
          LOG.error(error);
          report.record("large objects", System.currentTimeMillis() - start, error);
          continue;
        }
        DdlExecutor.run(target, scripts.largeObjectPrivileges(lo), report);
      }
      report.note(copied + " large objects copied (" + bytes + " bytes)"
          + (kept > 0 ? ", " + kept + " already on the target with the same contents" : ""));
      source.rollback();
    }
    return report;
  }

  private static boolean exists(Connection target, long oid) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_largeobject_metadata WHERE oid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Whether the target's object {@code oid} holds the source's bytes, read side by side. */
  private static boolean sameContents(LargeObjectManager from, LargeObjectManager to, long oid) throws SQLException {
    org.postgresql.largeobject.LargeObject a = from.open(oid, LargeObjectManager.READ);
    org.postgresql.largeobject.LargeObject b = to.open(oid, LargeObjectManager.READ);
    try {
      if (a.size64() != b.size64()) {
        return false;
      }
      a.seek64(0, org.postgresql.largeobject.LargeObject.SEEK_SET);
      b.seek64(0, org.postgresql.largeobject.LargeObject.SEEK_SET);
      while (true) {
        byte[] x = a.read(CHUNK);
        if (!Arrays.equals(x, b.read(CHUNK))) {
          return false;
        }
        if (x.length == 0) {
          return true;
        }
      }
    } finally {
      a.close();
      b.close();
    }
  }

  /** (Re)creates {@code oid} on the target with the source's bytes; returns how many. */
  private static long write(Connection target, LargeObjectManager from, LargeObjectManager to, long oid)
      throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = ?")) {
      ps.setLong(1, oid); // an earlier run's object that differs
      ps.executeQuery().close();
    }
    try (PreparedStatement ps = target.prepareStatement("SELECT lo_create(?)")) {
      ps.setLong(1, oid);
      ps.executeQuery().close();
    }
    org.postgresql.largeobject.LargeObject in = from.open(oid, LargeObjectManager.READ);
    org.postgresql.largeobject.LargeObject out = to.open(oid, LargeObjectManager.WRITE);
    long bytes = 0;
    try {
      for (byte[] chunk = in.read(CHUNK); chunk.length > 0; chunk = in.read(CHUNK)) {
        out.write(chunk);
        bytes += chunk.length;
      }
    } finally {
      in.close();
      out.close();
    }
    return bytes;
  }
}
