package dev.pg2citus.testing;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique, lower-case database names for tests: a cleaned-up prefix plus a per-JVM counter. */
final class DatabaseNames {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  // Leaves room for the counter within PostgreSQL's 63-byte identifier limit.
  private static final int MAX_PREFIX = 50;

  private DatabaseNames() {}

  static String next(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
      clean = "db_" + clean;
    }
    if (clean.length() > MAX_PREFIX) {
      clean = clean.substring(0, MAX_PREFIX);
    }
    return clean + "_" + COUNTER.incrementAndGet();
  }
}
