package dev.pg2citus.runrecord;

import dev.pg2citus.config.EffectiveOptions;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.plan.DistributionPlan;
import dev.pg2citus.plan.Placement;
import dev.pg2citus.sql.Relations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run was started with, in {@code pg2citus.started_with}: its effective options ({@link
 * EffectiveOptions}: no connections, no passwords) and its plan, a line per table, each an item, with
 * their fingerprint (SHA-256) in {@code pg2citus.run}. A resumed run must be started with the same;
 * {@link #differences} says what is not.
 *
 * @param items item → value, options by their key, the plan's tables as {@code plan <table>}
 */
public record StartedWith(Map<String, String> items) {
  static final String TABLE = RunRecord.SCHEMA + ".started_with";
  static final String RUN = RunRecord.SCHEMA + ".run";
  static final String CREATE = "CREATE TABLE " + TABLE + " (item text PRIMARY KEY, value text NOT NULL)";
  static final String CREATE_RUN = "CREATE TABLE " + RUN + " (fingerprint text NOT NULL, started_at timestamptz"
      + " NOT NULL, started_by text NOT NULL)";
  private static final String PLAN = "plan ";

  public StartedWith {
    items = Map.copyOf(items);
  }

  /** What {@code config} and its {@code plan} decide. */
  public static StartedWith of(MigrationConfig config, DistributionPlan plan) {
    Map<String, String> items = new LinkedHashMap<>(EffectiveOptions.of(config));
    for (Placement p : plan.placements()) {
      items.put(PLAN + p.table(), describe(p));
    }
    return new StartedWith(items);
  }

  private static String describe(Placement p) {
    String how = switch (p.kind()) {
      case REFERENCE -> "reference table";
      case LOCAL -> "local table";
      case DISTRIBUTED -> "distributed on " + p.column() + (p.addsColumn() ? " (added, backfilled along "
          + p.backfill() + ")" : "") + ", colocated with " + p.colocationRoot();
    };
    return how + (p.partitionOf() == null ? "" : ", a partition of " + p.partitionOf());
  }

  /** The fingerprint of every item, whatever their order. */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      items.keySet().stream().sorted().forEach(k -> {
        sha.update(k.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(items.get(k).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      });
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes this run's, in the caller's transaction (the record's {@link RunRecord#begin}). */
  void save(Connection target, String startedBy) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?)")) {
      for (Map.Entry<String, String> e : items.entrySet()) {
        ps.setString(1, e.getKey());
        ps.setString(2, e.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + RUN + " VALUES (?, clock_timestamp(), ?)")) {
      ps.setString(1, fingerprint());
      ps.setString(2, startedBy);
      ps.executeUpdate();
    }
  }

  /** What the run recorded on {@code target} was started with, or null when its record kept none. */
  static StartedWith read(Connection target) throws SQLException {
    if (!Relations.exists(target, TABLE)) {
      return null;
    }
    Map<String, String> items = new LinkedHashMap<>();
    for (String[] row : RunRecord.query(target, "SELECT item, value FROM " + TABLE + " ORDER BY item",
        rs -> new String[] {rs.getString(1), rs.getString(2)})) {
      items.put(row[0], row[1]);
    }
    return new StartedWith(items);
  }

  /**
   * What differs between {@code earlier} (the recorded run's) and this, each as a line a person
   * reads: {@code citus.shard-count 32 → 8}, {@code distribute differs: …}, {@code the plan of
   * public.ads differs: …}; empty when they are the same.
   */
  public List<String> differences(StartedWith earlier) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    earlier.items.keySet().stream().filter(k -> !k.startsWith(PLAN)).sorted().forEach(keys::add);
    items.keySet().stream().filter(k -> !k.startsWith(PLAN)).sorted().forEach(keys::add);
    earlier.items.keySet().stream().filter(k -> k.startsWith(PLAN)).sorted().forEach(keys::add);
    items.keySet().stream().filter(k -> k.startsWith(PLAN)).sorted().forEach(keys::add);
    for (String key : keys) {
      String was = earlier.items.get(key);
      String now = items.get(key);
      if (was != null && was.equals(now)) {
        continue;
      }
      if (key.startsWith(PLAN)) {
        String table = key.substring(PLAN.length());
        out.add(was == null ? "the plan has " + table + " (" + now + "), which the earlier run's did not"
            : now == null ? "the plan no longer has " + table + " (the earlier run's: " + was + ")"
            : "the plan of " + table + " differs: the earlier run's " + was + ", now " + now);
      } else if (was == null || now == null) {
        out.add(key + " differs (an option " + (was == null ? "this pg2citus has and the earlier run's did not"
            : "the earlier run's pg2citus had") + ")");
      } else if (!EffectiveOptions.listed(key) && was.length() + now.length() < 60) {
        out.add(key + " " + was + " → " + now);
      } else {
        out.add(key + " differs: " + listDifference(was, now));
      }
    }
    return out;
  }

  /** The items of a list only one side has. */
  private static String listDifference(String was, String now) {
    List<String> before = Arrays.asList(was.split("\n"));
    List<String> after = Arrays.asList(now.split("\n"));
    List<String> parts = new ArrayList<>();
    List<String> gone = before.stream().filter(i -> !after.contains(i) && !i.equals("none")).toList();
    List<String> added = after.stream().filter(i -> !before.contains(i) && !i.equals("none")).toList();
    if (!gone.isEmpty()) {
      parts.add("the earlier run had " + quoted(gone));
    }
    if (!added.isEmpty()) {
      parts.add("this one has " + quoted(added));
    }
    return parts.isEmpty() ? "the same items in another order" : String.join(", ", parts);
  }

  private static String quoted(List<String> items) {
    return String.join(", ", items.stream().map(i -> "'" + i + "'").toList());
  }
}
