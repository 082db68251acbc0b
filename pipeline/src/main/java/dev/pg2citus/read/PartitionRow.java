package dev.pg2citus.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A source row on its way through the shuffle join: the partition it belongs to, named as
 * {@link ReadRowsFn#key} names it, and its COPY text.
 */
public record PartitionRow(String partition, byte[] row) {
  /** Encodes the partition's name and the row's bytes. */
  public static final class Coder extends CustomCoder<PartitionRow> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(PartitionRow value, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(value.partition(), out);
      ByteArrayCoder.of().encode(value.row(), out);
    }

    @Override
    public PartitionRow decode(InputStream in) throws IOException {
      return new PartitionRow(StringUtf8Coder.of().decode(in), ByteArrayCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
