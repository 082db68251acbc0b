package dev.pg2citus.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable picture of the selected part of a source database: tables, the user types and
 * sequences they use, and the extensions they need.
 */
public final class Catalog {
  private final Map<TableName, Table> tables;
  private final List<UserType> types;
  private final List<SequenceInfo> sequences;
  private final List<String> extensions;
  private final String serverVersion;

  public Catalog(
      List<Table> tables,
      List<UserType> types,
      List<SequenceInfo> sequences,
      List<String> extensions,
      String serverVersion) {
    Map<TableName, Table> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    this.tables = Collections.unmodifiableMap(byName);
    this.types = List.copyOf(types);
    this.sequences = List.copyOf(sequences);
    this.extensions = List.copyOf(extensions);
    this.serverVersion = serverVersion;
  }

  /** Tables in a stable order (schema, name). */
  public List<Table> tables() {
    return List.copyOf(tables.values());
  }

  public Optional<Table> table(TableName name) {
    return Optional.ofNullable(tables.get(name));
  }

  public List<UserType> types() {
    return types;
  }

  public List<SequenceInfo> sequences() {
    return sequences;
  }

  public List<String> extensions() {
    return extensions;
  }

  public String serverVersion() {
    return serverVersion;
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

  /** The same catalog with some tables replaced (cast rules produce it). */
  public Catalog withTables(List<Table> newTables) {
    return new Catalog(newTables, types, sequences, extensions, serverVersion);
  }
}
