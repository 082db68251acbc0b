package dev.pg2citus.catalog;

/**
 * An extension of the source, created on the target in the same schema.
 *
 * @param version the source's version, or null to take the target's default (the target lacks it)
 * @param needed whether a migrated table needs it (a type, a default's function, an index's
 *     operator class…); one no table needs is listed as not carried when the target lacks it
 */
public record Extension(String name, String schema, String version, boolean needed) {}
