package dev.pg2citus.catalog;

import java.util.List;

/**
 * A large object of the source ({@code pg_largeobject_metadata}), carried with its OID.
 *
 * @param oid its OID, the value tables hold to point at it
 * @param privileges its owner, grants and comment, as {@link SchemaObject}s of kind OWNER, GRANT
 *     and COMMENT, set once its contents are written
 */
public record LargeObject(long oid, List<SchemaObject> privileges) {
  public LargeObject {
    privileges = List.copyOf(privileges);
  }
}
