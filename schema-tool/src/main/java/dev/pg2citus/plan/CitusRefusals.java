package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.SchemaObject;
import dev.pg2citus.catalog.SkippedObject;
import dev.pg2citus.catalog.TableName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The carried objects Citus refuses under a plan, moved to the not-carried list before anything is
 * written: a routine whose signature uses the row type of a distributed or reference table (Citus:
 * "can not handle circular dependencies between distributed objects" — and once the routine
 * exists, every later DDL on that table fails the same way), and what needs such a routine: views
 * that call it, its grants, owner and comment.
 */
public final class CitusRefusals {
  /** Kinds that only follow their object: left out with it, not listed on their own. */
  private static final Set<SchemaObject.Kind> FOLLOWERS =
      EnumSet.of(SchemaObject.Kind.GRANT, SchemaObject.Kind.OWNER, SchemaObject.Kind.COMMENT);

  private CitusRefusals() {}

  /** {@code catalog} without the objects Citus refuses under {@code plan}, which it lists as not carried. */
  public static Catalog apply(Catalog catalog, DistributionPlan plan) {
    Set<TableName> distributed = new HashSet<>();
    plan.placements().stream().filter(p -> p.kind() != Placement.Kind.LOCAL).forEach(p -> distributed.add(p.table()));
    Set<String> refused = new HashSet<>();
    List<SchemaObject> kept = new ArrayList<>();
    List<SkippedObject> skipped = new ArrayList<>(catalog.skipped());
    for (SchemaObject o : catalog.objects()) {
      Optional<TableName> rowType = o.rowTypes().stream().filter(distributed::contains).sorted().findFirst();
      Optional<String> needs = o.reads().stream().filter(refused::contains).sorted().findFirst();
      if (rowType.isEmpty() && needs.isEmpty()) {
        kept.add(o);
        continue;
      }
      refused.add(o.name());
      if (FOLLOWERS.contains(o.kind())) {
        continue;
      }
      String kind = o.kind().sql().toLowerCase(Locale.ROOT);
      skipped.add(new SkippedObject(kind, o.name(), rowType.isPresent()
          ? "its signature uses the row type of " + rowType.get() + ", which is distributed, and Citus refuses such"
              + " a " + kind + " (circular dependencies between distributed objects): change its signature, or"
              + " create it on the coordinator alone after the migration (SET citus.enable_ddl_propagation = off)"
          : "it uses " + needs.get() + ", which Citus refuses (listed above): create it after that one, by hand"));
    }
    return catalog.withObjects(kept, skipped);
  }
}
