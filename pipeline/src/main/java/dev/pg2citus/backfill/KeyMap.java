package dev.pg2citus.backfill;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A backfill side input: an immutable hash map from a key to a value, both kept as the bytes of
 * their COPY text (several key fields joined by tabs), packed into one array. Looking a row up hashes
 * the key fields where they stand in the row, and the value is copied from the array into the COPY
 * stream, so the hot loop creates no object per row; a key costs about 25 bytes plus its text,
 * where a {@code Map<String, String>} costs ten times that.
 *
 * <p>Entries are laid out as {@code [key length: 2 bytes][value length: 2 bytes][key][value]}; an
 * open-addressing table of entry offsets (linear probing, at most half full) finds them.
 */
public final class KeyMap {
  private static final byte TAB = '\t';
  private static final int MAX_PART = 0xFFFF;
  private static final int INITIAL_KEYS_MAX = 1 << 24;

  private final byte[] data;
  private final int used;
  private final int[] slots; // entry offset + 1; 0 is an empty slot
  private final int size;

  private KeyMap(byte[] data, int used, int[] slots, int size) {
    this.data = data;
    this.used = used;
    this.slots = slots;
    this.size = size;
  }

  /** A map from nothing to nothing (a path whose table is empty). */
  public static KeyMap empty() {
    return new Builder(1).build();
  }

  public int size() {
    return size;
  }

  /** Bytes held, for the memory estimates in the log. */
  public long bytes() {
    return (long) data.length + 4L * slots.length;
  }

  /**
   * The entry whose key is the fields {@code keyFields} of {@code row} joined by tabs, or -1.
   * {@code starts} and {@code ends} are the row's field bounds, as {@code CopyText.fieldBounds} finds them.
   */
  public int find(byte[] row, int[] starts, int[] ends, int[] keyFields) {
    int hash = 1;
    int length = keyFields.length - 1;
    for (int i = 0; i < keyFields.length; i++) {
      int f = keyFields[i];
      if (i > 0) {
        hash = 31 * hash + TAB;
      }
      hash = hash(hash, row, starts[f], ends[f]);
      length += ends[f] - starts[f];
    }
    int mask = slots.length - 1;
    for (int slot = mix(hash) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int entry = slots[slot] - 1;
      if (keyLength(entry) == length && keyEquals(entry, row, starts, ends, keyFields)) {
        return entry;
      }
    }
    return -1;
  }

  /** The entry whose key is {@code key[offset, offset + length)}, or -1. */
  public int find(byte[] key, int offset, int length) {
    int mask = slots.length - 1;
    for (int slot = mix(hash(1, key, offset, offset + length)) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int entry = slots[slot] - 1;
      if (keyLength(entry) == length
          && Arrays.equals(data, keyStart(entry), keyStart(entry) + length, key, offset, offset + length)) {
        return entry;
      }
    }
    return -1;
  }

  /** The array that holds every value; an entry's value is at {@link #valueStart} for {@link #valueLength} bytes. */
  public byte[] data() {
    return data;
  }

  public int valueStart(int entry) {
    return keyStart(entry) + keyLength(entry);
  }

  public int valueLength(int entry) {
    return ((data[entry + 2] & 0xFF) << 8) | (data[entry + 3] & 0xFF);
  }

  /**
   * This map with each value replaced by what {@code next} maps it to: one hop of a backfill path
   * composed with the rest. Keys whose value {@code next} does not hold are left out.
   */
  public KeyMap compose(KeyMap next) {
    Builder out = new Builder(size);
    for (int entry = 0; entry < used; entry = valueStart(entry) + valueLength(entry)) {
      int found = next.find(data, valueStart(entry), valueLength(entry));
      if (found >= 0) {
        out.put(data, keyStart(entry), keyLength(entry), next.data, next.valueStart(found), next.valueLength(found));
      }
    }
    return out.build();
  }

  private int keyStart(int entry) {
    return entry + 4;
  }

  private int keyLength(int entry) {
    return ((data[entry] & 0xFF) << 8) | (data[entry + 1] & 0xFF);
  }

  private boolean keyEquals(int entry, byte[] row, int[] starts, int[] ends, int[] keyFields) {
    int at = keyStart(entry);
    for (int i = 0; i < keyFields.length; i++) {
      if (i > 0 && data[at++] != TAB) {
        return false;
      }
      int f = keyFields[i];
      int n = ends[f] - starts[f];
      if (!Arrays.equals(data, at, at + n, row, starts[f], ends[f])) {
        return false;
      }
      at += n;
    }
    return true;
  }

  private static int hash(int hash, byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash;
  }

  /** Spreads the polynomial hash, whose low bits are poor for consecutive integers' text. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return h;
  }

  /** Collects entries; keys are unique (they are a primary key or unique constraint), a repeated key keeps its first value. */
  public static final class Builder {
    private byte[] data;
    private int used;
    private int[] slots;
    private int size;

    /** Sized for {@code expectedKeys} (an estimate: it grows past it, and starts at most at 16M keys). */
    public Builder(long expectedKeys) {
      int keys = (int) Math.max(1, Math.min(INITIAL_KEYS_MAX, expectedKeys));
      data = new byte[Math.max(64, keys * 16)];
      slots = new int[tableSize(keys)];
    }

    /** Adds {@code key[keyOffset…]} → {@code value[valueOffset…]}. */
    public Builder put(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
      if (keyLength > MAX_PART || valueLength > MAX_PART) {
        throw new IllegalArgumentException("a backfill key or value is longer than " + MAX_PART + " bytes");
      }
      if ((size + 1) * 2L > slots.length) {
        rehash(slots.length * 2);
      }
      int mask = slots.length - 1;
      int slot = mix(hash(1, key, keyOffset, keyOffset + keyLength)) & mask;
      for (; slots[slot] != 0; slot = (slot + 1) & mask) {
        int entry = slots[slot] - 1;
        if (keyLength(entry) == keyLength
            && Arrays.equals(data, entry + 4, entry + 4 + keyLength, key, keyOffset, keyOffset + keyLength)) {
          return this;
        }
      }
      int entry = append(key, keyOffset, keyLength, value, valueOffset, valueLength);
      slots[slot] = entry + 1;
      size++;
      return this;
    }

    public KeyMap build() {
      return new KeyMap(Arrays.copyOf(data, used), used, slots, size);
    }

    private int append(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
      long needed = (long) used + 4 + keyLength + valueLength;
      if (needed > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("a backfill map holds more than 2 GB of keys: lower load.side-input-max-keys"
            + " so that it is joined by a shuffle");
      }
      if (needed > data.length) {
        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, data.length * 2L)));
      }
      int entry = used;
      data[used++] = (byte) (keyLength >>> 8);
      data[used++] = (byte) keyLength;
      data[used++] = (byte) (valueLength >>> 8);
      data[used++] = (byte) valueLength;
      System.arraycopy(key, keyOffset, data, used, keyLength);
      used += keyLength;
      System.arraycopy(value, valueOffset, data, used, valueLength);
      used += valueLength;
      return entry;
    }

    private int keyLength(int entry) {
      return ((data[entry] & 0xFF) << 8) | (data[entry + 1] & 0xFF);
    }

    private void rehash(int capacity) {
      int[] grown = new int[capacity];
      int mask = capacity - 1;
      for (int entry = 0; entry < used; ) {
        int keyLength = keyLength(entry);
        int slot = mix(hash(1, data, entry + 4, entry + 4 + keyLength)) & mask;
        while (grown[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        grown[slot] = entry + 1;
        entry += 4 + keyLength + (((data[entry + 2] & 0xFF) << 8) | (data[entry + 3] & 0xFF));
      }
      slots = grown;
    }

    private static int tableSize(int keys) {
      int size = 16;
      while (size < keys * 2L && size < (1 << 30)) {
        size <<= 1;
      }
      return size;
    }
  }

  /** Encodes the packed arrays as they are, so a worker decodes a map without rehashing it. */
  public static final class Coder extends CustomCoder<KeyMap> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(KeyMap map, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(map.size);
      data.writeInt(map.used);
      data.write(map.data, 0, map.used);
      ByteBuffer slots = ByteBuffer.allocate(4 * map.slots.length);
      slots.asIntBuffer().put(map.slots);
      data.writeInt(map.slots.length);
      data.write(slots.array());
      data.flush();
    }

    @Override
    public KeyMap decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      int size = data.readInt();
      byte[] bytes = new byte[data.readInt()];
      data.readFully(bytes);
      byte[] slotBytes = new byte[4 * data.readInt()];
      data.readFully(slotBytes);
      int[] slots = new int[slotBytes.length / 4];
      ByteBuffer.wrap(slotBytes).asIntBuffer().get(slots);
      return new KeyMap(bytes, bytes.length, slots, size);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
