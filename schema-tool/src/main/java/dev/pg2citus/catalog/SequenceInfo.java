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

  /**
   * The same sequence as another integer type, with limits that were the old type's bounds moved to
   * the new type's: a cast of its column from integer to bigint takes the sequence along.
   */
  public SequenceInfo withDataType(String newType) {
    long[] oldBounds = bounds(dataType);
    long[] newBounds = bounds(newType);
    if (oldBounds == null || newBounds == null || newType.equals(dataType)) {
      return this;
    }
    long newMin = min == oldBounds[0] ? newBounds[0] : min;
    long newMax = max == oldBounds[1] ? newBounds[1] : max;
    return new SequenceInfo(name, newType, start, increment, newMin, newMax, cache, cycle, lastValue, ownerTable,
        ownerColumn, identity);
  }

  private static long[] bounds(String type) {
    return switch (type) {
      case "smallint" -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
      case "integer" -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
      case "bigint" -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
      default -> null;
    };
  }
}
