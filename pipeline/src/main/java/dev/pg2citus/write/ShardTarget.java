package dev.pg2citus.write;

import java.io.Serializable;

/**
 * A table whose rows go straight into its shards: where its distribution value stands in a written
 * row, and the value's type, which says how it is hashed ({@link dev.pg2citus.route.CitusHash#forType}).
 *
 * @param distributed the distributed table on the target, quoted, as its {@link dev.pg2citus.route.ShardMap} is read
 * @param field the distribution column's place among the written columns (0 for an added column, which
 *     comes first)
 * @param type the column's type as {@code format_type} names it
 */
public record ShardTarget(String distributed, int field, String type) implements Serializable {}
