package dev.pg2citus.ddl;

import dev.pg2citus.sql.Sql;
import java.util.List;

/**
 * Statements wrapped in a {@code DO} block that decides on the target whether to run them: skipped
 * when a condition holds (an operator already there, a role the target lacks — then with a warning
 * the schema tool reports as a note), and on Citus optionally run on every node by hand, for what
 * Citus does not propagate (or propagates wrongly). The block can be issued again safely when its
 * condition recognises the statement's effect. Every guard pg2citus puts on a statement is built
 * here.
 */
final class GuardedStatement {
  /**
   * The prefix of the warnings these blocks raise (a grant whose role the target lacks); the schema
   * tool reports them as notes.
   */
  static final String WARNING_PREFIX = "pg2citus: ";

  private static final String OLD_CITUS = "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus'"
      + " AND string_to_array(split_part(extversion, '-', 1), '.')::int[] < '{13,1}')";

  private GuardedStatement() {}

  /**
   * {@code statement} on every node, unless {@code exists} (an SQL condition) finds it in effect
   * there: for what Citus does not propagate (operators, casts).
   */
  static String onEveryNodeUnless(String exists, String statement) {
    return of(exists, null, statement, true);
  }

  /**
   * {@code statement}, whose failure is not an error but a warning: {@code warning} followed by the
   * server's message. For what the migrated tables do not need (an extension the target has, but
   * that needs a preloaded library or a superuser there).
   */
  static String noteIfRefused(String statement, String warning) {
    return "DO $pg2citus$ BEGIN\n"
        + "  EXECUTE " + Sql.literal(statement) + ";\n"
        + "EXCEPTION WHEN OTHERS THEN\n"
        + "  RAISE WARNING '%', " + Sql.literal(WARNING_PREFIX + warning) + " || SQLERRM;\n"
        + "END $pg2citus$";
  }

  /**
   * {@code statement}, run only when {@code role} (as regrole prints it; null for none) exists,
   * otherwise skipped with a warning. With {@code onEveryNode} (a grant on a routine) it is run on
   * each Citus node by hand: Citus 13 propagates GRANT ON FUNCTION with the schema name unquoted,
   * which fails for a schema such as {@code "Shop"}.
   */
  static String forRole(String role, String statement, boolean onEveryNode) {
    return of(role == null ? null : missing(role), role == null ? null : "role " + role + " is not on the target: "
        + statement + " skipped", statement, onEveryNode);
  }

  /**
   * A column grant, skipped with a warning when its role is not on the target, or on a Citus before
   * 13.1, which grants on the coordinator's table only and leaves the shards without it.
   */
  static String forColumnGrant(String grantee, String grant) {
    String skip = grantee.equals("PUBLIC") ? OLD_CITUS : missing(grantee) + " OR " + OLD_CITUS;
    return of(skip, "role " + grantee + " is not on the target, or Citus is older than 13.1 (which does not"
        + " propagate column grants to the shards): " + grant + " skipped", grant, false);
  }

  /**
   * A default-privilege statement, skipped with a warning when either role is not on the target or
   * the migrating user may not act for the role (it must be a member, or a superuser).
   */
  static String forDefaultPrivileges(String role, String grantee, String statement) {
    String skip = missing(role) + (grantee.equals("PUBLIC") ? "" : " OR " + missing(grantee))
        + " OR NOT pg_has_role(current_user, to_regrole(" + Sql.literal(role) + "), 'MEMBER')";
    return of(skip, "a role of it is not on the target, or the migrating user is not a member of " + role + ": "
        + statement + " skipped", statement, false);
  }

  /** Like a grant, a policy for a role the target lacks is skipped with a note. */
  static String forPolicy(String policy, List<String> roles, String create) {
    String missing = "EXISTS (SELECT 1 FROM unnest(ARRAY[" + String.join(", ", roles.stream().map(Sql::literal)
        .toList()) + "]) r WHERE to_regrole(r) IS NULL)";
    return of(missing, "a role of policy " + policy + " (" + String.join(", ", roles) + ") is not on the target:"
        + " the policy is skipped", create, false);
  }

  private static String missing(String role) {
    return "to_regrole(" + Sql.literal(role) + ") IS NULL";
  }

  /**
   * {@code statement}, skipped when {@code skipWhen} (an SQL condition, or null for never) holds,
   * raising {@code warning} (null for none); with {@code onEveryCitusNode}, on a Citus coordinator
   * it runs there without propagation and then on each worker, the same guard deciding there.
   */
  private static String of(String skipWhen, String warning, String statement, boolean onEveryCitusNode) {
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
        : "    RAISE WARNING '%', " + Sql.literal(WARNING_PREFIX + warning) + ";\n";
    return "DO " + quote + " DECLARE failed text; BEGIN\n"
        + "  IF " + (skipWhen == null ? "false" : skipWhen) + " THEN\n" + skip
        + "  ELSE\n" + body
        + "  END IF;\n"
        + "END " + quote;
  }
}
