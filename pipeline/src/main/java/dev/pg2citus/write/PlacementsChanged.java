package dev.pg2citus.write;

import java.sql.SQLException;

/**
 * A worker no longer holds the shards the partition's shard map placed there (a move or split ended
 * in between): the partition's transactions are rolled back and it is copied again with the
 * placements read again, as after a lost connection.
 */
public final class PlacementsChanged extends SQLException {
  public PlacementsChanged(String message) {
    super(message, "40001");
  }
}
