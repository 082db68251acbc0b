package dev.pg2citus.config;

import java.util.Arrays;

/**
 * pgloader's transform functions ({@code cast … using empty-string-to-null}) that have a PostgreSQL
 * equivalent: each is an SQL expression the source query reads the column with, so the value
 * travels as COPY text like any other. The rest of pgloader's functions have none and are refused.
 */
public enum Transform {
  EMPTY_STRING_TO_NULL("NULLIF(%s, '')"),
  RIGHT_TRIM("rtrim(%s)"),
  TINYINT_TO_BOOLEAN("(%s <> 0)"),
  INT_TO_IP("('0.0.0.0'::inet + %s)"),
  UNIX_TIMESTAMP_TO_TIMESTAMPTZ("to_timestamp(%s)"),
  FLOAT_TO_STRING("(%s)::text"),
  BASE64_DECODE("decode(%s, 'base64')"),
  /** PostgreSQL text cannot hold a NUL character: nothing to remove. */
  REMOVE_NULL_CHARACTERS("%s"),
  /** PostgreSQL has no zero dates: nothing to replace. */
  ZERO_DATES_TO_NULL("%s");

  private final String template;

  Transform(String template) {
    this.template = template;
  }

  /** The expression that reads {@code quotedColumn} transformed. */
  public String apply(String quotedColumn) {
    return template.formatted(quotedColumn);
  }

  /** The function as pgloader names it: {@code empty-string-to-null}. */
  public String label() {
    return ConfigOption.label(this);
  }

  /** Every transform's name, for messages and the reference. */
  public static String labels() {
    return String.join(", ", Arrays.stream(values()).map(Transform::label).toList());
  }

  /** The transform pgloader calls {@code name}, or null. */
  public static Transform named(String name) {
    for (Transform t : values()) {
      if (t.label().equalsIgnoreCase(name)) {
        return t;
      }
    }
    return null;
  }
}
