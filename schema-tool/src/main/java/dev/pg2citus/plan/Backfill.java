package dev.pg2citus.plan;

import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.sql.Sql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How an added distribution column gets its value: follow {@code hops} (foreign keys, from the table
 * outwards) and read {@code valueColumn} of the last referenced row.
 */
public record Backfill(List<ForeignKey> hops, String valueColumn) {
  public Backfill {
    hops = List.copyOf(hops);
  }

  /** The table whose own column holds the value. */
  public TableName valueTable() {
    return hops.get(hops.size() - 1).referenced();
  }

  /** Whether the path passes through {@code table} (as the start or a hop). */
  public boolean passesThrough(TableName table) {
    return hops.stream().anyMatch(h -> h.table().equals(table) || h.referenced().equals(table));
  }

  /** {@code clicks(ad_id) → ads(id), ads(campaign_id) → campaigns(id); value campaigns.company_id}. */
  @Override
  public String toString() {
    return hops.stream().map(ForeignKey::describe).collect(Collectors.joining(", "))
        + "; value " + Sql.display(valueTable().name()) + "." + Sql.display(valueColumn);
  }
}
