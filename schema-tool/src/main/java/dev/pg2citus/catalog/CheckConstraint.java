package dev.pg2citus.catalog;

/** A CHECK constraint; {@code definition} is {@code pg_get_constraintdef}, NOT VALID included. */
public record CheckConstraint(String name, String definition) {}
