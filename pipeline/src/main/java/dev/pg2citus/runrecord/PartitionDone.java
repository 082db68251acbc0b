package dev.pg2citus.runrecord;

import java.io.Serializable;

/** What a committed partition did, as its "done" mark records it: what a copy worker emits. */
public record PartitionDone(long rowsRead, long rowsWritten, long rowsRejected, long bytes, long millis)
    implements Serializable {}
