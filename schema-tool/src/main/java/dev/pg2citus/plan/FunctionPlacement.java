package dev.pg2citus.plan;

import dev.pg2citus.catalog.TableName;
import dev.pg2citus.sql.Sql;

/**
 * A routine distributed with {@code create_distributed_function}, colocated with a distributed
 * table, so that a call runs on the worker holding the rows of its distribution argument.
 *
 * @param routine the routine as {@code regprocedure} prints it (qualified, with argument types)
 * @param argument the parameter that holds the distribution value, by name or {@code $n}
 * @param colocateWith the distributed table it is colocated with
 * @param reason the rule that asked for it
 */
public record FunctionPlacement(String routine, String argument, TableName colocateWith, String reason) {
  /** The Citus call that distributes it. */
  public String sql() {
    return "SELECT create_distributed_function(" + Sql.literal(routine) + ", " + Sql.literal(argument)
        + ", colocate_with := " + Sql.literal(colocateWith.quoted()) + ")";
  }
}
