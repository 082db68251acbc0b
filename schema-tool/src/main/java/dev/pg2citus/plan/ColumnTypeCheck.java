package dev.pg2citus.plan;

import dev.pg2citus.catalog.Catalog;
import dev.pg2citus.catalog.Extension;
import dev.pg2citus.catalog.KeyConstraint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Citus hashes a distribution column with its type's default hash operator class, so a type
 * without one (json, point, xml, a composite of such) cannot be distributed: {@code
 * create_distributed_table} would fail after the tables were created. Checked on the source, where
 * the types are, before anything is written.
 *
 * <p>The operator class is found as PostgreSQL's {@code GetDefaultOpClass} finds it (Citus calls
 * it): a domain counts as its base type, and a default class whose input type the column's type is
 * binary-coercible to serves it ({@code varchar} → {@code text_ops}, {@code cidr} → {@code
 * inet_ops}; enums, ranges, arrays and composites through the polymorphic classes): an exact match
 * first, else the one class of the type's preferred type in its category, else the only class.
 */
public final class ColumnTypeCheck {
  /**
   * The default operator class of index method {@code ?2} for type {@code ?1}: its name, null when
   * there is none, and the extension it belongs to, if any.
   */
  static final String DEFAULT_OPCLASS = """
      WITH RECURSIVE base(oid) AS (
          SELECT ?::regtype::oid
        UNION ALL
          SELECT ty.typbasetype FROM base JOIN pg_type ty ON ty.oid = base.oid WHERE ty.typbasetype <> 0),
      b AS (SELECT ty.* FROM base JOIN pg_type ty ON ty.oid = base.oid WHERE ty.typbasetype = 0),
      candidate AS (
        SELECT c.oid, c.opcintype = b.oid AS exact,
               it.typispreferred AND it.typcategory = b.typcategory AS preferred
          FROM b, pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod JOIN pg_type it ON it.oid = c.opcintype
         WHERE a.amname = ? AND c.opcdefault
           AND (c.opcintype = b.oid
                OR (c.opcintype IN (to_regtype('anyarray'), to_regtype('anycompatiblearray'))
                    AND b.typelem <> 0 AND b.typlen = -1)
                OR (c.opcintype = to_regtype('anyenum') AND b.typtype = 'e')
                OR (c.opcintype IN (to_regtype('anyrange'), to_regtype('anycompatiblerange')) AND b.typtype = 'r')
                OR (c.opcintype IN (to_regtype('anymultirange'), to_regtype('anycompatiblemultirange'))
                    AND b.typtype = 'm')
                OR (c.opcintype = to_regtype('record') AND b.typtype = 'c')
                OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = b.oid AND k.casttarget = c.opcintype
                              AND k.castmethod = 'b' AND k.castcontext = 'i'))),
      chosen AS (
        SELECT oid FROM candidate
         WHERE CASE WHEN (SELECT count(*) FROM candidate WHERE exact) > 0 THEN exact
                    WHEN (SELECT count(*) FROM candidate WHERE preferred) > 0 THEN preferred
                    ELSE true END)
      SELECT (SELECT c.opcname FROM pg_opclass c WHERE c.oid = chosen.oid),
             (SELECT x.extname FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
               WHERE d.classid = 'pg_opclass'::regclass AND d.objid = chosen.oid AND d.deptype = 'e')
        FROM chosen
       WHERE (SELECT count(*) FROM chosen) = 1
      """;

  private ColumnTypeCheck() {}

  /** One problem per distribution column type without a hash function, naming its tables. */
  public static List<String> problems(Connection source, DistributionPlan plan) throws SQLException {
    Map<String, List<String>> columnsByType = new TreeMap<>();
    for (Placement p : plan.placements()) {
      if (p.isDistributed() && p.partitionOf() == null) {
        columnsByType.computeIfAbsent(p.columnType(), k -> new ArrayList<>()).add(p.table() + "." + p.column()
            + (p.addsColumn() ? " (added by pg2citus, from " + p.backfill().valueTable() + "." + p.backfill().valueColumn()
                + ")" : ""));
      }
    }
    List<String> problems = new ArrayList<>();
    try (PreparedStatement ps = source.prepareStatement(DEFAULT_OPCLASS)) {
      for (var entry : columnsByType.entrySet()) {
        ps.setString(1, entry.getKey());
        ps.setString(2, "hash");
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            problems.add("distribution column " + String.join(", ", entry.getValue()) + " has type " + entry.getKey()
                + ", which has no hash function, so Citus cannot distribute on it: distribute on another column, or"
                + " add a cast rule to a type Citus can hash (text, say)");
          }
        }
      }
    }
    return problems;
  }

  /**
   * An exclusion constraint of a distributed table gains {@code column WITH =} ({@link
   * KeyRewrites#exclusion}); its index method must have an operator class for the column's type
   * (gist for an integer needs btree_gist), from an extension the target gets. One problem per
   * constraint that cannot be rewritten, naming it and what to do.
   */
  public static List<String> exclusionProblems(Connection source, Catalog catalog, DistributionPlan plan)
      throws SQLException {
    Set<String> carried = catalog.extensions().stream().map(Extension::name).collect(Collectors.toSet());
    List<String> problems = new ArrayList<>();
    try (PreparedStatement ps = source.prepareStatement(DEFAULT_OPCLASS)) {
      for (Placement p : plan.placements()) {
        if (!p.isDistributed() || p.partitionOf() != null) {
          continue;
        }
        for (KeyConstraint x : catalog.table(p.table()).orElseThrow().exclusionConstraints()) {
          if (x.columns().contains(p.column())) {
            continue;
          }
          String method = KeyRewrites.exclusionMethod(x.definition());
          ps.setString(1, p.columnType());
          ps.setString(2, method);
          try (ResultSet rs = ps.executeQuery()) {
            boolean found = rs.next();
            String extension = found ? rs.getString(2) : null;
            if (!found) {
              problems.add("exclusion constraint " + x.name() + " of " + p.table() + " (" + x.definition() + ") must"
                  + " hold distribution column " + p.column() + " WITH =, which Citus requires, but index method "
                  + method + " has no operator class for " + p.columnType() + " on the source"
                  + ("gist".equals(method) ? " (btree_gist provides one: CREATE EXTENSION btree_gist)" : "")
                  + ": add it, or drop the constraint on the source, or leave " + p.table().name() + " local");
            } else if (extension != null && !carried.contains(extension)) {
              problems.add("exclusion constraint " + x.name() + " of " + p.table() + " must hold distribution column "
                  + p.column() + " WITH =, which Citus requires, through operator class " + rs.getString(1)
                  + " of extension " + extension + ", which no migrated table uses, so the target does not get it:"
                  + " create " + extension + " on the target first (before-load: CREATE EXTENSION " + extension + ")");
            }
          }
        }
      }
    }
    return problems;
  }
}
