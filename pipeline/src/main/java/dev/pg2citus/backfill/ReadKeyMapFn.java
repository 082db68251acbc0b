package dev.pg2citus.backfill;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.SourceSnapshot;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Reads the key and value columns of one hop's table, under the run's snapshot, as pairs of COPY
 * text: only the columns the backfill needs, never whole rows. Rows whose key or value is NULL are
 * left out: no foreign key can match them, and a row pointing at them is rejected with its reason.
 */
public final class ReadKeyMapFn extends DoFn<KeyMapSpec, KV<String, String>> {
  private final ConnectionSpec source;
  private final String snapshot;

  public ReadKeyMapFn(ConnectionSpec source, String snapshot) {
    this.source = source;
    this.snapshot = snapshot;
  }

  @ProcessElement
  public void process(@Element KeyMapSpec spec, OutputReceiver<KV<String, String>> out) throws SQLException {
    try (Connection c = source.open()) {
      SourceSnapshot.begin(c, snapshot);
      CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut(spec.copySql());
      int keys = spec.keyColumns().size();
      byte[] row;
      while ((row = copy.readFromCopy()) != null) {
        String[] pair = CopyText.splitAfter(row, keys);
        if (!hasNull(pair[0]) && !hasNull(pair[1])) {
          out.output(KV.of(pair[0], pair[1]));
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw new SQLException("reading the backfill keys of " + spec.table() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  private static boolean hasNull(String fields) {
    for (String f : fields.split("\t", -1)) {
      if (f.equals(CopyText.NULL)) {
        return true;
      }
    }
    return false;
  }
}
