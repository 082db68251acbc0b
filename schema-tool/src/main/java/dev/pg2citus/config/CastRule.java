package dev.pg2citus.config;

/**
 * A cast rule: change the target type of one column, or of every column of one source type, with
 * pgloader's options.
 *
 * @param column the {@code table.column} (or {@code schema.table.column}) it applies to, or null
 * @param sourceType the source type it applies to ({@code integer}, {@code int4},
 *     {@code character varying}…), or null
 * @param targetType the new type, or null to keep the type and apply only the options
 * @param dropDefault leave the default out on the target
 * @param dropTypmod drop the type modifier ({@code varchar(20)} → {@code varchar})
 * @param dropNotNull leave NOT NULL out on the target
 * @param setNotNull add NOT NULL on the target
 * @param using the transform the source query reads the column with, or null
 */
public record CastRule(
    NameRef column,
    String sourceType,
    String targetType,
    boolean dropDefault,
    boolean dropTypmod,
    boolean dropNotNull,
    boolean setNotNull,
    Transform using,
    ConfigLocation location) {

  @Override
  public String toString() {
    String what = column != null ? "column " + column : "type " + sourceType;
    return "cast " + what + (targetType != null ? " to " + targetType : "") + (using != null ? " using "
        + using.label() : "");
  }
}
