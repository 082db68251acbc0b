package dev.pg2citus.catalog;

/** An extension that the selected tables need (a type, a default's function, an index's operator class…). */
public record Extension(String name, String schema) {}
