package dev.pg2citus.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable picture of the selected part of a source database: tables, the collations, user
 * types and sequences they use, the extensions, the routines, views and triggers that go with them,
 * the schemas without tables, the large objects, and what is not carried.
 */
public final class Catalog {
  private final Map<TableName, Table> tables;
  private final List<Collation> collations;
  private final List<UserType> types;
  private final List<SequenceInfo> sequences;
  private final List<Extension> extensions;
  private final List<SchemaObject> objects;
  private final List<SkippedObject> skipped;
  private final List<String> tablelessSchemas;
  private final List<LargeObject> largeObjects;

  public Catalog(
      List<Table> tables,
      List<Collation> collations,
      List<UserType> types,
      List<SequenceInfo> sequences,
      List<Extension> extensions,
      List<SchemaObject> objects,
      List<SkippedObject> skipped,
      List<String> tablelessSchemas,
      List<LargeObject> largeObjects) {
    Map<TableName, Table> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    this.tables = Collections.unmodifiableMap(byName);
    this.collations = List.copyOf(collations);
    this.types = List.copyOf(types);
    this.sequences = List.copyOf(sequences);
    this.extensions = List.copyOf(extensions);
    this.objects = List.copyOf(objects);
    this.skipped = List.copyOf(skipped);
    this.tablelessSchemas = List.copyOf(tablelessSchemas);
    this.largeObjects = List.copyOf(largeObjects);
  }

  /** Tables in a stable order (schema, name). */
  public List<Table> tables() {
    return List.copyOf(tables.values());
  }

  public Optional<Table> table(TableName name) {
    return Optional.ofNullable(tables.get(name));
  }

  public List<Collation> collations() {
    return collations;
  }

  public List<UserType> types() {
    return types;
  }

  public List<SequenceInfo> sequences() {
    return sequences;
  }

  public List<Extension> extensions() {
    return extensions;
  }

  /** Routines, views (in dependency order) and triggers that go with the tables. */
  public List<SchemaObject> objects() {
    return objects;
  }

  /** The source's objects that are not carried, each with its reason. */
  public List<SkippedObject> skipped() {
    return skipped;
  }

  /** The schemas that hold no table (only views, routines, types…, or nothing): carried with what they hold. */
  public List<String> tablelessSchemas() {
    return tablelessSchemas;
  }

  /** The source's large objects, copied after the rows. */
  public List<LargeObject> largeObjects() {
    return largeObjects;
  }

  /** Every foreign key whose referenced table is {@code name}. */
  public List<ForeignKey> foreignKeysTo(TableName name) {
    List<ForeignKey> result = new ArrayList<>();
    for (Table t : tables.values()) {
      for (ForeignKey fk : t.foreignKeys()) {
        if (fk.referenced().equals(name)) {
          result.add(fk);
        }
      }
    }
    return result;
  }

  /** The same catalog carrying {@code newObjects}, and listing {@code newSkipped} as not carried. */
  public Catalog withObjects(List<SchemaObject> newObjects, List<SkippedObject> newSkipped) {
    return new Catalog(tables(), collations, types, sequences, extensions, newObjects, newSkipped, tablelessSchemas,
        largeObjects);
  }

  /** The same catalog creating {@code newExtensions}, and listing {@code newSkipped} as not carried. */
  public Catalog withExtensions(List<Extension> newExtensions, List<SkippedObject> newSkipped) {
    return new Catalog(tables(), collations, types, sequences, newExtensions, objects, newSkipped, tablelessSchemas,
        largeObjects);
  }

  /** The same catalog with some tables replaced (cast rules produce it). */
  public Catalog withTables(List<Table> newTables) {
    return new Catalog(newTables, collations, types, sequences, extensions, objects, skipped, tablelessSchemas,
        largeObjects);
  }
}
