package dev.pg2citus.config;

/**
 * The encoding of the bytes a SQL_ASCII source holds in a table's text columns or in one column
 * ({@code load.encodings}), as pgloader's {@code encoding}: the source converts them to UTF-8 as it
 * reads them.
 *
 * @param table the table ({@code table} or {@code schema.table}), or null for a column rule
 * @param column the column ({@code table.column} or {@code schema.table.column}), or null for a table rule
 * @param encoding PostgreSQL's name of the encoding ({@code LATIN1}, {@code WIN1252}…)
 */
public record EncodingRule(NameRef table, NameRef column, String encoding, ConfigLocation location) {
  @Override
  public String toString() {
    return (table != null ? "table " + table : "column " + column) + " in " + encoding;
  }
}
