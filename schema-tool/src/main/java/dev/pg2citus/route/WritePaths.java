package dev.pg2citus.route;

import dev.pg2citus.catalog.Column;
import dev.pg2citus.catalog.Table;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.config.ConfigOptions.WritePath;
import dev.pg2citus.ddl.TargetSchema;
import dev.pg2citus.plan.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which path each table's rows take under {@code load.write-path}, and why: straight into the shards
 * of a hash-distributed table when its distribution value can be hashed here exactly ({@link
 * CitusHash#forType}, under a deterministic collation), else through the coordinator. {@code plan}
 * prints what the plan alone tells ({@link #plan}); the load decides again on the target with the
 * same rules ({@link #unroutable}) plus what only the target knows (its encoding, the collation's
 * determinism, single placements), so it never takes the shard path where the plan said otherwise.
 *
 * <p>Use the shard path for large hash-distributed tables when the coordinator's CPU is the limit:
 * the coordinator then does no parsing or routing, each worker takes its own rows. Keep the
 * coordinator path for reference tables (a placement on every node, written together), Citus local
 * tables and plain PostgreSQL. {@code auto} takes the same choice as {@code shards}, table by table.
 */
public final class WritePaths {
  /** Collations that compare bytes, deterministic on every server. */
  private static final Set<String> BYTE_COLLATIONS = Set.of("\"C\"", "\"POSIX\"", "ucs_basic", "\"default\"",
      "pg_catalog.\"C\"", "pg_catalog.\"POSIX\"", "pg_catalog.ucs_basic", "pg_catalog.\"default\"");

  /** A table's path, and why. */
  public record Choice(TableName table, boolean shards, String why) {}

  private WritePaths() {}

  /**
   * Why a distribution column of {@code type} under {@code collation} cannot be routed exactly, or
   * empty when it can. {@code collationDeterministic} is what the target says of a named collation
   * (null when not known yet: only byte-wise collations are then taken as deterministic).
   */
  public static Optional<String> unroutable(String type, String collation, Boolean collationDeterministic) {
    if (CitusHash.forType(type).isEmpty()) {
      return Optional.of("distribution column type " + type + " is hashed by the coordinator");
    }
    if (collation != null && isText(type) && !Boolean.TRUE.equals(collationDeterministic)
        && !BYTE_COLLATIONS.contains(collation)) {
      return Optional.of(Boolean.FALSE.equals(collationDeterministic)
          ? "collation " + collation + " is nondeterministic"
          : "collation " + collation + " is not known to be deterministic");
    }
    return Optional.empty();
  }

  /** Whether a value of {@code type} hashes as its bytes in the server encoding (so the encoding matters). */
  public static boolean isText(String type) {
    String base = type.replaceFirst("\\(\\d+\\)", "").toLowerCase(Locale.ROOT);
    return base.equals("text") || base.equals("character varying") || base.equals("character");
  }

  /** Each table that holds rows, with its path under {@code option}, as the plan tells it. */
  public static List<Choice> plan(TargetSchema target, WritePath option, boolean plainTarget) {
    List<Choice> choices = new ArrayList<>();
    for (Table table : target.catalog().tables()) {
      if (!table.isPartitioned()) {
        choices.add(choose(target, table, option, plainTarget));
      }
    }
    return choices;
  }

  private static Choice choose(TargetSchema target, Table table, WritePath option, boolean plainTarget) {
    Placement p = target.plan().of(table.name());
    String coordinator;
    if (option == WritePath.COORDINATOR) {
      coordinator = "load.write-path: coordinator";
    } else if (plainTarget) {
      coordinator = "plain PostgreSQL target";
    } else if (p.kind() == Placement.Kind.REFERENCE) {
      coordinator = "reference table: a placement on every node, written together by Citus";
    } else if (p.kind() == Placement.Kind.LOCAL) {
      coordinator = "local table";
    } else {
      coordinator = unroutable(p.columnType(), collation(target, table, p), null).orElse(null);
    }
    if (coordinator != null) {
      return new Choice(table.name(), false, coordinator);
    }
    return new Choice(table.name(), true, "hash of " + p.column() + " (" + p.columnType() + ") computed by pg2citus, rows sent to the shard holding it"
        + (table.isPartition() ? "; a partition: its own shards" : "")
        + (isText(p.columnType()) ? "; if the target's encoding is UTF8" : ""));
  }

  /** The distribution column's collation: the table's own column, or for an added one the root's. */
  private static String collation(TargetSchema target, Table table, Placement p) {
    Optional<Column> own = table.column(p.column());
    if (own.isPresent()) {
      return own.get().collation();
    }
    return target.catalog().table(p.colocationRoot()).flatMap(root -> root.column(p.column()))
        .map(Column::collation).orElse(null);
  }

  /** The choices as {@code plan} prints them, after the distribution plan. */
  public static String render(WritePath option, List<Choice> choices) {
    long shards = choices.stream().filter(Choice::shards).count();
    StringBuilder out = new StringBuilder("Write paths (load.write-path: "
        + option.name().toLowerCase(Locale.ROOT) + "): " + shards + " of " + choices.size()
        + " tables straight into shards\n");
    int width = choices.stream().mapToInt(c -> c.table().toString().length()).max().orElse(10);
    for (Choice c : choices) {
      out.append(String.format("    %-" + width + "s   %-11s %s%n", c.table(), c.shards() ? "shards" : "coordinator",
          c.why()));
    }
    return out.toString();
  }
}
