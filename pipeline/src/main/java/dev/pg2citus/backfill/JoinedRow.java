package dev.pg2citus.backfill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * What a partition's writer receives on the shuffle path, grouped by partition: each row with what
 * the join found for it, and once {@link #partitionStart}, so that a partition is written (and
 * marked done) even when it has no rows.
 *
 * @param key the row's foreign-key fields, tab-joined COPY text, or null when one is NULL
 * @param value the distribution value found for the key, or null when there is none
 * @param row the source row as COPY text; null for the partition start
 */
public record JoinedRow(String key, String value, byte[] row) {
  private static final JoinedRow PARTITION_START = new JoinedRow(null, null, null);

  /** The element every partition receives once, whatever rows it has. */
  public static JoinedRow partitionStart() {
    return PARTITION_START;
  }

  public boolean isPartitionStart() {
    return row == null;
  }

  /** Encodes key and value (either may be null) and the row (null for the partition start). */
  public static final class Coder extends CustomCoder<JoinedRow> {
    private static final Coder INSTANCE = new Coder();
    private static final NullableCoder<String> TEXT = NullableCoder.of(StringUtf8Coder.of());
    private static final NullableCoder<byte[]> BYTES = NullableCoder.of(ByteArrayCoder.of());

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(JoinedRow value, OutputStream out) throws IOException {
      TEXT.encode(value.key(), out);
      TEXT.encode(value.value(), out);
      BYTES.encode(value.row(), out);
    }

    @Override
    public JoinedRow decode(InputStream in) throws IOException {
      return new JoinedRow(TEXT.decode(in), TEXT.decode(in), BYTES.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
