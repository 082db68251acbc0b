package dev.pg2citus.write;

/**
 * A row the target will not get, with why: refused by the target (PostgreSQL's reason) or before
 * it (no distribution value found).
 *
 * @param row the source row as COPY text, without its line end
 * @param reason why it was rejected
 */
public record RejectedRow(String row, String reason) {}
