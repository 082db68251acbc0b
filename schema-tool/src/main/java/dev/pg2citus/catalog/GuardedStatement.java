package dev.pg2citus.catalog;

import dev.pg2citus.sql.Sql;

/**
 * A statement wrapped in a {@code DO} block that decides on the target whether to run it: skipped
 * when a condition holds (an operator already there, a role the target lacks — then with a warning
 * the schema tool reports as a note), and on Citus optionally run on every node by hand, for what
 * Citus does not propagate (or propagates wrongly). The block can be issued again safely when its
 * condition recognises the statement's effect.
 */
final class GuardedStatement {
  private GuardedStatement() {}

  /**
   * {@code statement}, skipped when {@code skipWhen} (an SQL condition, or null for never) holds,
   * raising {@code warning} (null for none); with {@code onEveryCitusNode}, on a Citus coordinator
   * it runs there without propagation and then on each worker, the same guard deciding there.
   */
  static String of(String skipWhen, String warning, String statement, boolean onEveryCitusNode) {
    String execute = "    EXECUTE " + Sql.literal(statement) + ";\n";
    if (!onEveryCitusNode) {
      return block("pg2citus", skipWhen, warning, execute);
    }
    // What each worker runs: the same guard, in a block of its own quoting inside this one's.
    String local = block("node", skipWhen, warning, execute);
    String citus = "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')";
    String everywhere = "    IF " + citus + " THEN\n"
        + "      PERFORM set_config('citus.enable_ddl_propagation', 'off', true);\n"
        + "    END IF;\n"
        + execute
        + "    IF " + citus + " THEN\n"
        + "      SELECT string_agg(nodename || ':' || nodeport || ': ' || result, '; ') INTO failed\n"
        + "        FROM run_command_on_workers(" + Sql.literal("SET citus.enable_ddl_propagation = off; " + local)
        + ") WHERE NOT success;\n"
        + "      IF failed IS NOT NULL THEN RAISE EXCEPTION '%', failed; END IF;\n"
        + "    END IF;\n";
    return block("pg2citus", skipWhen, warning, everywhere);
  }

  private static String block(String tag, String skipWhen, String warning, String body) {
    String quote = "$" + tag + "$";
    String skip = warning == null ? "    NULL;\n"
        : "    RAISE WARNING '%', " + Sql.literal(SchemaObject.WARNING_PREFIX + warning) + ";\n";
    return "DO " + quote + " DECLARE failed text; BEGIN\n"
        + "  IF " + (skipWhen == null ? "false" : skipWhen) + " THEN\n" + skip
        + "  ELSE\n" + body
        + "  END IF;\n"
        + "END " + quote;
  }
}
