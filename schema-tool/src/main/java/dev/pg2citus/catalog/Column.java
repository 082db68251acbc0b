package dev.pg2citus.catalog;

/**
 * One column of a source table.
 *
 * @param name the column name, exact case
 * @param type the type as {@code format_type} prints it, schema-qualified for user types
 * @param baseType the type without its modifier ({@code character varying} for {@code
 *     character varying(20)}), which cast rules by type match on
 * @param notNull whether the column is NOT NULL
 * @param defaultExpr the default expression ({@code pg_get_expr}), or null
 * @param identity {@code a} (ALWAYS), {@code d} (BY DEFAULT) or empty
 * @param generatedExpr the expression of a STORED generated column, or null
 * @param collation the quoted collation name when it differs from the type's default, or null
 * @param comment the column comment, or null
 * @param readAs the expression the source query reads the column with (a cast rule's {@code using}),
 *     or null for the column as it is
 * @param sourceType the column's type on the source when a cast rule changed it, else null
 */
public record Column(
    String name,
    String type,
    String baseType,
    boolean notNull,
    String defaultExpr,
    String identity,
    String generatedExpr,
    String collation,
    String comment,
    String readAs,
    String sourceType) {

  public boolean isIdentity() {
    return !identity.isEmpty();
  }

  public boolean isGenerated() {
    return generatedExpr != null;
  }

  /** The same column with another type, default and NOT NULL (cast rules produce it). */
  public Column withTypeDefaultNotNull(String newType, String newDefault, boolean newNotNull) {
    String castFrom = newType.equals(type) ? sourceType : sourceType != null ? sourceType : type;
    return new Column(
        name, newType, baseType, newNotNull, newDefault, identity, generatedExpr, collation, comment, readAs, castFrom);
  }

  /** The same column, read from the source with {@code expression}. */
  public Column withReadAs(String expression) {
    return new Column(name, type, baseType, notNull, defaultExpr, identity, generatedExpr, collation, comment,
        expression, sourceType);
  }
}
