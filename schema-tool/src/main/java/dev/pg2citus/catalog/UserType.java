package dev.pg2citus.catalog;

/**
 * A user-defined type that some selected table uses: enum, domain, composite or range.
 *
 * @param name the type name
 * @param kind what sort of type it is
 * @param body what follows {@code CREATE TYPE name AS} / {@code CREATE DOMAIN name AS}: the enum
 *     labels, the domain's base type with its default, NOT NULL and checks, the composite's
 *     attributes or the range's subtype
 */
public record UserType(TableName name, Kind kind, String body) {
  public enum Kind { ENUM, DOMAIN, COMPOSITE, RANGE }

  /** The statement that creates it. */
  public String createSql() {
    return switch (kind) {
      case DOMAIN -> "CREATE DOMAIN " + name.quoted() + " AS " + body;
      case RANGE -> "CREATE TYPE " + name.quoted() + " AS RANGE (" + body + ")";
      case ENUM -> "CREATE TYPE " + name.quoted() + " AS ENUM (" + body + ")";
      case COMPOSITE -> "CREATE TYPE " + name.quoted() + " AS (" + body + ")";
    };
  }
}
