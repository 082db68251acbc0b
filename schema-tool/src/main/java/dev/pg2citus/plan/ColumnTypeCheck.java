package dev.pg2citus.plan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Citus hashes a distribution column with its type's default hash operator class, so a type
 * without one (json, point, xml, a composite of such) cannot be distributed: {@code
 * create_distributed_table} would fail after the tables were created. Checked on the source, where
 * the types are, before anything is written; a domain counts as its base type.
 */
public final class ColumnTypeCheck {
  private static final String HASHABLE = """
      WITH RECURSIVE t(oid) AS (SELECT ?::regtype::oid),
      base(oid) AS (SELECT oid FROM t UNION SELECT ty.typbasetype FROM base JOIN pg_type ty ON ty.oid = base.oid
                     WHERE ty.typbasetype <> 0)
      SELECT EXISTS (
        SELECT 1 FROM base b JOIN pg_type ty ON ty.oid = b.oid, pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
         WHERE ty.typbasetype = 0 AND a.amname = 'hash' AND c.opcdefault
           AND (c.opcintype = ty.oid
                OR (c.opcintype = 'anyenum'::regtype AND ty.typtype = 'e')
                OR (c.opcintype = 'anyrange'::regtype AND ty.typtype = 'r')
                OR (c.opcintype = 'anyarray'::regtype AND ty.typelem <> 0 AND ty.typlen = -1)
                OR (c.opcintype = 'record'::regtype AND ty.typtype = 'c')))
      """;

  private ColumnTypeCheck() {}

  /** One problem per distribution column type without a hash function, naming its tables. */
  public static List<String> problems(Connection source, DistributionPlan plan) throws SQLException {
    Map<String, List<String>> columnsByType = new TreeMap<>();
    for (Placement p : plan.placements()) {
      if (p.isDistributed() && p.partitionOf() == null) {
        columnsByType.computeIfAbsent(p.columnType(), k -> new ArrayList<>()).add(p.table() + "." + p.column());
      }
    }
    List<String> problems = new ArrayList<>();
    try (PreparedStatement ps = source.prepareStatement(HASHABLE)) {
      for (var entry : columnsByType.entrySet()) {
        ps.setString(1, entry.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            problems.add("distribution column " + String.join(", ", entry.getValue()) + " has type " + entry.getKey()
                + ", which has no hash function, so Citus cannot distribute on it: distribute on another column, or"
                + " add a cast rule to a type Citus can hash (text, say)");
          }
        }
      }
    }
    return problems;
  }
}
