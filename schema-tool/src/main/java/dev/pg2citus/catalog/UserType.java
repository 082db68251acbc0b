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
}
