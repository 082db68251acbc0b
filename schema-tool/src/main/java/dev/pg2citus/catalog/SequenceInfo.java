package dev.pg2citus.catalog;

/**
 * A sequence and where the source left it.
 *
 * @param dataType smallint, integer or bigint
 * @param lastValue the last value handed out, or null when {@code nextval} was never called
 * @param ownerTable the table of the owning column (serial or identity), or null
 * @param ownerColumn the owning column, or null
 * @param identity whether it backs an identity column (then the column creates it)
 */
public record SequenceInfo(
    TableName name,
    String dataType,
    long start,
    long increment,
    long min,
    long max,
    long cache,
    boolean cycle,
    Long lastValue,
    TableName ownerTable,
    String ownerColumn,
    boolean identity) {

  /** The options shared by CREATE SEQUENCE (which adds {@code AS type}) and identity columns. */
  public String optionsSql() {
    return "INCREMENT BY " + increment + " MINVALUE " + min + " MAXVALUE " + max
        + " START WITH " + start + " CACHE " + cache + (cycle ? " CYCLE" : " NO CYCLE");
  }
}
