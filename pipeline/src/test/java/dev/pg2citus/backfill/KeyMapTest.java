package dev.pg2citus.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pg2citus.read.CopyText;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The packed side-input map: lookups in place in a COPY row, composition along a path, encoding. */
class KeyMapTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static KeyMap map(String... keysAndValues) {
    KeyMap.Builder b = new KeyMap.Builder(1); // grows past its first size
    for (int i = 0; i < keysAndValues.length; i += 2) {
      byte[] k = bytes(keysAndValues[i]);
      byte[] v = bytes(keysAndValues[i + 1]);
      b.put(k, 0, k.length, v, 0, v.length);
    }
    return b.build();
  }

  /** The value the map gives for fields {@code keyFields} of {@code row}, or null. */
  private static String lookUp(KeyMap map, String row, int... keyFields) {
    byte[] r = bytes(row);
    int[] starts = new int[CopyText.fieldsNeeded(keyFields)];
    int[] ends = new int[starts.length];
    CopyText.fieldBounds(r, starts, ends);
    int e = map.find(r, starts, ends, keyFields);
    return e < 0 ? null : CopyText.text(map.data(), map.valueStart(e), map.valueStart(e) + map.valueLength(e));
  }

  @Test
  void findsKeysWhereTheyStandInTheRow() {
    KeyMap m = map("1", "10", "2", "20", "abc\\tdef", "30");
    assertEquals("20", lookUp(m, "7\t2\tx\n", 1));
    assertEquals("10", lookUp(m, "1\n", 0));
    assertEquals("30", lookUp(m, "abc\\tdef\tz\n", 0), "escaped tabs are part of the key");
    assertEquals(null, lookUp(m, "3\t2\n", 0));
    assertEquals(null, lookUp(m, "12\n", 0), "a prefix of a key is not the key");
  }

  @Test
  void compositeKeysInAnyFieldOrder() {
    KeyMap m = map("r1\t5", "100", "r2\t5", "200");
    assertEquals("200", lookUp(m, "5\tname\tr2\n", 2, 0));
    assertEquals("100", lookUp(m, "5\tname\tr1\n", 2, 0));
    assertEquals(null, lookUp(m, "5\tname\tr1\n", 0, 2));
  }

  @Test
  void manyKeysAndRepeatedKeysKeepTheFirstValue() {
    KeyMap.Builder b = new KeyMap.Builder(4);
    for (int i = 0; i < 200_000; i++) {
      byte[] k = bytes(Integer.toString(i));
      byte[] v = bytes(Integer.toString(i % 97));
      b.put(k, 0, k.length, v, 0, v.length);
    }
    byte[] k = bytes("5");
    b.put(k, 0, 1, bytes("x"), 0, 1);
    KeyMap m = b.build();
    assertEquals(200_000, m.size());
    for (int i = 0; i < 200_000; i += 997) {
      assertEquals(Integer.toString(i % 97), lookUp(m, i + "\tx\n", 0));
    }
    assertEquals("5", lookUp(m, "5\n", 0));
    assertTrue(m.bytes() < 200_000L * 40, "about 25 bytes a key plus its text: " + m.bytes());
  }

  @Test
  void composesHopsAndLeavesOutKeysThatLeadNowhere() {
    KeyMap ads = map("1", "11", "2", "12", "3", "99"); // ad → campaign
    KeyMap campaigns = map("11", "7", "12", "8"); // campaign → company
    KeyMap composed = ads.compose(campaigns);
    assertEquals(2, composed.size());
    assertEquals("7", lookUp(composed, "1\n", 0));
    assertEquals("8", lookUp(composed, "2\n", 0));
    assertEquals(null, lookUp(composed, "3\n", 0));
    assertEquals(0, ads.compose(KeyMap.empty()).size());
  }

  @Test
  void encodesAndDecodesWithoutLoss() throws IOException {
    KeyMap m = map("1", "10", "é\t2", "ü");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    KeyMap.Coder.of().encode(m, out);
    KeyMap back = KeyMap.Coder.of().decode(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(2, back.size());
    assertEquals("ü", lookUp(back, "é\t2\n", 0, 1));
    assertEquals("10", lookUp(back, "1\n", 0));
  }
}
