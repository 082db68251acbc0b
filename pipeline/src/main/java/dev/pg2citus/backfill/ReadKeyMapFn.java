package dev.pg2citus.backfill;

import dev.pg2citus.config.ConnectionSpec;
import dev.pg2citus.read.CopyText;
import dev.pg2citus.read.SourceCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.IntStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the key and value columns of one hop's table, under the run's snapshot, as COPY text: only
 * the columns the backfill needs, never whole rows. Rows whose key or value has a NULL are left
 * out: no foreign key can match them, and a row pointing at them is rejected with its reason.
 *
 * <p>{@link AsMap} builds the whole table into one {@link KeyMap} (a side input); {@link AsPairs}
 * gives key–value pairs for the shuffle join of maps too large to hold.
 */
public abstract class ReadKeyMapFn<T> extends DoFn<KeyMapSpec, T> {
  private static final Logger LOG = LoggerFactory.getLogger(ReadKeyMapFn.class);

  private final ConnectionSpec source;
  private final String snapshot;

  private ReadKeyMapFn(ConnectionSpec source, String snapshot) {
    this.source = source;
    this.snapshot = snapshot;
  }

  /** Reads each map into one {@link KeyMap}. */
  public static final class AsMap extends ReadKeyMapFn<KeyMap> {
    public AsMap(ConnectionSpec source, String snapshot) {
      super(source, snapshot);
    }

    @ProcessElement
    public void process(@Element KeyMapSpec spec, OutputReceiver<KeyMap> out) throws SQLException {
      KeyMap.Builder map = new KeyMap.Builder(spec.estimatedKeys());
      read(spec, (row, keyEnd, valueStart, valueEnd) -> map.put(row, 0, keyEnd, row, valueStart, valueEnd - valueStart));
      KeyMap built = map.build();
      LOG.debug("backfill map {}: {} keys in {} MB", spec.id(), built.size(), built.bytes() >> 20);
      out.output(built);
    }
  }

  /** Reads each map as key–value pairs, keys and values as tab-joined COPY text. */
  public static final class AsPairs extends ReadKeyMapFn<KV<String, String>> {
    public AsPairs(ConnectionSpec source, String snapshot) {
      super(source, snapshot);
    }

    @ProcessElement
    public void process(@Element KeyMapSpec spec, OutputReceiver<KV<String, String>> out) throws SQLException {
      read(spec, (row, keyEnd, valueStart, valueEnd) ->
          out.output(KV.of(CopyText.text(row, 0, keyEnd), CopyText.text(row, valueStart, valueEnd))));
    }
  }

  /** A key–value row: the key is {@code row[0, keyEnd)}, the value {@code row[valueStart, valueEnd)}. */
  interface PairHandler {
    void pair(byte[] row, int keyEnd, int valueStart, int valueEnd);
  }

  void read(KeyMapSpec spec, PairHandler pairs) throws SQLException {
    int keys = spec.keyColumns().size();
    int fields = keys + spec.valueColumns().size();
    int[] all = IntStream.range(0, fields).toArray();
    int[] starts = new int[fields];
    int[] ends = new int[fields];
    try (Connection c = source.open()) {
      SourceCopy.stream(c, snapshot, spec.copySql(), row -> {
        if (CopyText.fieldBounds(row, starts, ends) < fields) {
          throw new IllegalStateException(spec.table() + ": a key row has fewer than " + fields + " fields");
        }
        if (!CopyText.anyNull(row, starts, ends, all)) {
          pairs.pair(row, ends[keys - 1], starts[keys], ends[fields - 1]);
        }
      });
    } catch (SQLException e) {
      throw new SQLException("reading the backfill keys of " + spec.table() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }
}
