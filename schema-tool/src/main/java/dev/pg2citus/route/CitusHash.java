package dev.pg2citus.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * A distribution value's hash exactly as Citus computes it, from the value as COPY text carries it: the
 * 32-bit standard hash function of the column type's default hash operator class ({@code hashint4},
 * {@code hashint8}, {@code hashtext}, {@code uuid_hash}…), which is PostgreSQL's {@code hash_bytes}
 * (Bob Jenkins' lookup3, as PostgreSQL varies it: a key of length 0 or a multiple of 12 is mixed like
 * any other) over the value's internal bytes, read little-endian as on every usual Citus host. Citus
 * then takes the shard whose range holds the hash, as a signed 32-bit integer.
 *
 * <p>Only the types whose hash is exact from the text are here ({@link #forType}); numeric, enums (their
 * hash is the label's OID, per database), arrays, ranges and the rest go through the coordinator. Text
 * hashes exactly only under a deterministic collation and when the target's encoding is UTF-8 (the
 * bytes COPY text decodes to): the caller checks both. COPY text is read as pg2citus' sessions print it
 * (DateStyle ISO, bytea hex).
 */
public final class CitusHash {
  /**
   * The hash of one COPY text field (never {@code \N}: a NULL distribution value has no shard), read
   * where it lies in the row: the integers, the most common distribution columns, are parsed from the
   * bytes and text is hashed in place unless it holds escapes, so routing a row allocates nothing.
   * A value the type refuses throws {@link IllegalArgumentException}.
   */
  @FunctionalInterface
  public interface FieldHash {
    int hash(byte[] row, int from, int to);

    /** The hash of a field given as text. */
    default int hash(String copyText) {
      byte[] bytes = copyText.getBytes(StandardCharsets.UTF_8);
      return hash(bytes, 0, bytes.length);
    }
  }

  private static final int GOLDEN = 0x9e3779b9 + 3923095;
  private static final LocalDate POSTGRES_EPOCH = LocalDate.of(2000, 1, 1);
  private static final LocalDateTime POSTGRES_EPOCH_TIME = POSTGRES_EPOCH.atStartOfDay();

  private static final Map<String, FieldHash> BY_TYPE = Map.ofEntries(
      Map.entry("smallint", (row, from, to) -> hashUint32((int) integer(row, from, to, Short.MIN_VALUE,
          Short.MAX_VALUE))),
      Map.entry("integer", (row, from, to) -> hashUint32((int) integer(row, from, to, Integer.MIN_VALUE,
          Integer.MAX_VALUE))),
      Map.entry("bigint", (row, from, to) -> hashInt8(integer(row, from, to, Long.MIN_VALUE, Long.MAX_VALUE))),
      Map.entry("oid", (row, from, to) -> hashUint32((int) integer(row, from, to, 0, 0xffffffffL))),
      Map.entry("boolean", text((text -> hashUint32(text.equals("t") ? 1 : 0)))),
      Map.entry("text", CitusHash::textBytes),
      Map.entry("character varying", CitusHash::textBytes),
      Map.entry("character", text(text -> hashBytes(withoutTrailingBlanks(unescape(text))))),
      Map.entry("bytea", text(text -> hashBytes(byteaHex(text)))),
      Map.entry("uuid", text(text -> hashBytes(uuid(text)))),
      Map.entry("date", text(text -> hashUint32(date(text)))),
      Map.entry("timestamp without time zone", text(text -> hashInt8(timestamp(text)))),
      Map.entry("timestamp with time zone", text(text -> hashInt8(timestampTz(text)))));

  private CitusHash() {}

  /**
   * The hash for a column of {@code type} as {@code format_type} names it (a length or precision, as in
   * {@code character varying(5)}, does not matter), or empty when it cannot be computed exactly here.
   */
  public static Optional<FieldHash> forType(String type) {
    return Optional.ofNullable(BY_TYPE.get(type.replaceFirst("\\(\\d+(,\\d+)?\\)", "").toLowerCase(Locale.ROOT)));
  }

  /** PostgreSQL's {@code hash_bytes}. */
  public static int hashBytes(byte[] k) {
    return hashBytes(k, 0, k.length);
  }

  /** PostgreSQL's {@code hash_bytes} over {@code k[from, from + length)}. */
  public static int hashBytes(byte[] k, int from, int length) {
    int a = GOLDEN + length;
    int b = a;
    int c = a;
    int i = from;
    int left = length;
    while (left >= 12) {
      a += word(k, i);
      b += word(k, i + 4);
      c += word(k, i + 8);
      // mix(a, b, c)
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
      i += 12;
      left -= 12;
    }
    // The last 11 bytes at most; the lowest byte of c is left for the length.
    switch (left) {
      case 11: c += (k[i + 10] & 0xff) << 24; // fall through
      case 10: c += (k[i + 9] & 0xff) << 16; // fall through
      case 9: c += (k[i + 8] & 0xff) << 8; // fall through
      case 8: b += (k[i + 7] & 0xff) << 24; // fall through
      case 7: b += (k[i + 6] & 0xff) << 16; // fall through
      case 6: b += (k[i + 5] & 0xff) << 8; // fall through
      case 5: b += k[i + 4] & 0xff; // fall through
      case 4: a += (k[i + 3] & 0xff) << 24; // fall through
      case 3: a += (k[i + 2] & 0xff) << 16; // fall through
      case 2: a += (k[i + 1] & 0xff) << 8; // fall through
      case 1: a += k[i] & 0xff; // fall through
      default: // nothing left
    }
    return finalMix(a, b, c);
  }

  /** PostgreSQL's {@code hash_bytes_uint32}: hashint2, hashint4, hashoid, hashchar, a date. */
  public static int hashUint32(int k) {
    int a = GOLDEN + 4 + k;
    int b = GOLDEN + 4;
    return finalMix(a, b, b);
  }

  /** {@code hashint8}: the high half folded into the low one, so that equal int4 and int8 values hash alike. */
  public static int hashInt8(long value) {
    int low = (int) value;
    int high = (int) (value >>> 32);
    return hashUint32(low ^ (value >= 0 ? high : ~high));
  }

  private static int finalMix(int a, int b, int c) {
    c ^= b; c -= Integer.rotateLeft(b, 14);
    a ^= c; a -= Integer.rotateLeft(c, 11);
    b ^= a; b -= Integer.rotateLeft(a, 25);
    c ^= b; c -= Integer.rotateLeft(b, 16);
    a ^= c; a -= Integer.rotateLeft(c, 4);
    b ^= a; b -= Integer.rotateLeft(a, 14);
    c ^= b; c -= Integer.rotateLeft(b, 24);
    return c;
  }

  private static int word(byte[] k, int i) {
    return (k[i] & 0xff) | (k[i + 1] & 0xff) << 8 | (k[i + 2] & 0xff) << 16 | (k[i + 3] & 0xff) << 24;
  }

  /** A hash of the field as text, for the types parsed from their text form. */
  private static FieldHash text(ToIntFunction<String> hash) {
    return (row, from, to) -> hash.applyAsInt(new String(row, from, to - from, StandardCharsets.UTF_8));
  }

  /** text and varchar: the field's bytes are the value's unless it holds a backslash escape. */
  private static int textBytes(byte[] row, int from, int to) {
    for (int i = from; i < to; i++) {
      if (row[i] == '\\') {
        return hashBytes(unescape(new String(row, from, to - from, StandardCharsets.UTF_8)));
      }
    }
    return hashBytes(row, from, to - from);
  }

  /** A decimal integer of COPY text within [min, max], parsed without a String. */
  static long integer(byte[] row, int from, int to, long min, long max) {
    boolean negative = to > from && row[from] == '-';
    int i = negative || (to > from && row[from] == '+') ? from + 1 : from;
    if (i == to || to - i > 19) {
      throw notInteger(row, from, to);
    }
    long value = 0; // accumulated negatively: Long.MIN_VALUE has no positive counterpart
    for (; i < to; i++) {
      int digit = row[i] - '0';
      if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
        throw notInteger(row, from, to);
      }
      value = value * 10 - digit;
    }
    if (!negative && value == Long.MIN_VALUE) {
      throw notInteger(row, from, to);
    }
    long result = negative ? value : -value;
    if (result < min || result > max) {
      throw new IllegalArgumentException("value " + result + " out of range");
    }
    return result;
  }

  private static IllegalArgumentException notInteger(byte[] row, int from, int to) {
    return new NumberFormatException("not an integer: \"" + new String(row, from, to - from, StandardCharsets.UTF_8)
        + "\"");
  }

  /** The bytes a COPY text field stands for: its backslash escapes decoded, the rest as UTF-8. */
  static byte[] unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field.getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
    int i = 0;
    while (i < field.length()) {
      char ch = field.charAt(i);
      if (ch != '\\' || i + 1 == field.length()) {
        int end = i + 1;
        while (end < field.length() && field.charAt(end) != '\\') {
          end++;
        }
        out.writeBytes(field.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end;
        continue;
      }
      char next = field.charAt(i + 1);
      i += 2;
      switch (next) {
        case 'b' -> out.write('\b');
        case 'f' -> out.write('\f');
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'v' -> out.write(0x0b);
        case 'x' -> {
          int end = i;
          while (end < field.length() && end < i + 2 && Character.digit(field.charAt(end), 16) >= 0) {
            end++;
          }
          out.write(end == i ? 'x' : Integer.parseInt(field.substring(i, end), 16));
          i = end;
        }
        default -> {
          if (next >= '0' && next <= '7') {
            int end = i;
            while (end < field.length() && end < i + 2 && field.charAt(end) >= '0' && field.charAt(end) <= '7') {
              end++;
            }
            out.write(Integer.parseInt(field.substring(i - 1, end), 8) & 0xff);
            i = end;
          } else {
            out.writeBytes(String.valueOf(next).getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** {@code bpchar}'s hash ignores trailing blanks, as its comparison does. */
  private static byte[] withoutTrailingBlanks(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == ' ') {
      end--;
    }
    return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
  }

  /** bytea in hex output, as COPY text carries it: {@code \\x0aff} (the backslash escaped). */
  private static byte[] byteaHex(String field) {
    String hex = new String(unescape(field), StandardCharsets.UTF_8);
    if (!hex.startsWith("\\x")) {
      throw new IllegalArgumentException("bytea not in hex output: " + field);
    }
    return hexBytes(hex.substring(2));
  }

  private static byte[] uuid(String text) {
    return hexBytes(text.replace("-", ""));
  }

  private static byte[] hexBytes(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
    }
    return bytes;
  }

  /** Days since 2000-01-01, as PostgreSQL stores a date; its infinities are the int's ends. */
  private static int date(String text) {
    return switch (text) {
      case "infinity" -> Integer.MAX_VALUE;
      case "-infinity" -> Integer.MIN_VALUE;
      default -> Math.toIntExact(ChronoUnit.DAYS.between(POSTGRES_EPOCH, LocalDate.parse(era(text))));
    };
  }

  /** Microseconds since 2000-01-01 00:00, as PostgreSQL stores a timestamp. */
  private static long timestamp(String text) {
    return switch (text) {
      case "infinity" -> Long.MAX_VALUE;
      case "-infinity" -> Long.MIN_VALUE;
      default -> ChronoUnit.MICROS.between(POSTGRES_EPOCH_TIME, LocalDateTime.parse(era(text).replace(' ', 'T')));
    };
  }

  /** Microseconds since 2000-01-01 00:00 UTC; the text carries its offset ({@code +05:30}, {@code -03:30:12}). */
  private static long timestampTz(String text) {
    if (text.equals("infinity") || text.equals("-infinity")) {
      return timestamp(text);
    }
    String iso = era(text).replace(' ', 'T');
    int sign = Math.max(iso.lastIndexOf('+'), iso.lastIndexOf('-'));
    OffsetDateTime at = LocalDateTime.parse(iso.substring(0, sign)).atOffset(ZoneOffset.of(iso.substring(sign)));
    return ChronoUnit.MICROS.between(POSTGRES_EPOCH_TIME.atOffset(ZoneOffset.UTC), at);
  }

  /**
   * ISO text with a {@code BC} suffix as java.time reads it: year N BC is year 1 - N, with the sign and
   * at least four digits ({@code -0043-03-15} for 44 BC); years past 9999 get the sign java.time wants.
   */
  private static String era(String text) {
    boolean bc = text.endsWith(" BC");
    String iso = bc ? text.substring(0, text.length() - 3) : text;
    int dash = iso.indexOf('-');
    long year = Long.parseLong(iso.substring(0, dash));
    long astronomical = bc ? 1 - year : year;
    if (!bc && year <= 9999) {
      return iso;
    }
    String digits = String.format(Locale.ROOT, "%04d", Math.abs(astronomical));
    return (astronomical < 0 ? "-" : "+") + digits + iso.substring(dash);
  }
}
