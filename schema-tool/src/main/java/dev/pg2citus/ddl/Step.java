package dev.pg2citus.ddl;

/** The kinds of statement, in the order each phase runs them; the summary counts per step. */
public enum Step {
  BEFORE_LOAD("before load"),
  DROP("drop"),
  SCHEMA("schemas"),
  EXTENSION("extensions"),
  COLLATION("collations"),
  TYPE("types"),
  FUNCTION("functions"),
  SEQUENCE("sequences"),
  TABLE("tables"),
  SEQUENCE_OWNER("sequence owners"),
  AGGREGATE("aggregates"),
  OPERATOR("operators"),
  CAST("casts"),
  COMMENT("comments"),
  TRUNCATE("truncate"),
  DISTRIBUTE("distribute"),
  STATISTICS("statistics"),
  VIEW("views"),
  PRIMARY_KEY("primary keys"),
  UNIQUE("unique constraints"),
  EXCLUSION("exclusion constraints"),
  INDEX("indexes"),
  FOREIGN_KEY("foreign keys"),
  CHECK("checks"),
  SEQUENCE_VALUE("sequence values"),
  ANALYZE("analyze"),
  MATERIALIZED_VIEW("materialized views"),
  TRIGGER("triggers"),
  RULE("rules"),
  POLICY("policies"),
  ROW_SECURITY("row-level security"),
  GRANT("grants"),
  OWNER("owners"),
  DEFAULT_PRIVILEGES("default privileges"),
  SETTING("database settings"),
  RENAME("renames"),
  AFTER_LOAD("after load");

  private final String label;

  Step(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Whether its statements make the object their subject names, which later statements may need. */
  public boolean creates() {
    return switch (this) {
      case SCHEMA, EXTENSION, COLLATION, TYPE, FUNCTION, SEQUENCE, TABLE, AGGREGATE, OPERATOR, DISTRIBUTE,
          STATISTICS, VIEW, MATERIALIZED_VIEW, PRIMARY_KEY, UNIQUE, EXCLUSION, INDEX, FOREIGN_KEY, CHECK -> true;
      default -> false;
    };
  }
}
