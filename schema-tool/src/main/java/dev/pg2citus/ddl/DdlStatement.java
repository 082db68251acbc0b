package dev.pg2citus.ddl;

/**
 * One SQL statement of a schema phase.
 *
 * @param step what kind of statement it is
 * @param subject what it is about ({@code public.ads}), for the log and errors
 * @param sql the statement
 */
public record DdlStatement(Step step, String subject, String sql) {}
