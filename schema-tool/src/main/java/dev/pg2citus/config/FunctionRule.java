package dev.pg2citus.config;

/**
 * A routine to distribute with Citus' {@code create_distributed_function}, so that a call is sent
 * to the worker holding the rows of its distribution argument:
 *
 * <pre>
 * citus:
 *   distribute-functions:
 *     - function: record_click(bigint, bigint)   # the routine, with its argument types
 *       argument: company_id                     # the parameter holding the distribution value ($1 works too)
 *       colocate-with: companies                 # a distributed table of the same colocation group
 * </pre>
 *
 * @param function the routine's signature as written ({@code name(types)}), resolved on the source
 * @param argument the parameter name or {@code $n} that holds the distribution value
 * @param colocateWith the distributed table whose colocation group the routine joins
 * @param location where the rule was written
 */
public record FunctionRule(String function, String argument, NameRef colocateWith, ConfigLocation location) {}
