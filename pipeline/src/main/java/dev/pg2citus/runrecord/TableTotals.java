package dev.pg2citus.runrecord;

/** Per-table totals of the done partitions, for verification and the summary. */
public record TableTotals(String table, long rowsRead, long rowsWritten, long rowsRejected, long bytes,
    long millis) {}
