package dev.pg2citus.runrecord;

import dev.pg2citus.ddl.DdlStatement;
import dev.pg2citus.ddl.PostDataRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The finalize (post-data) statements that took effect, in {@code pg2citus.post_data}: each is
 * added in the transaction that runs it, on that statement's own connection, so a resumed run
 * issues only the statements still missing and the record never claims what did not commit.
 */
public final class PostDataStatements implements PostDataRecord {
  static final String TABLE = RunRecord.SCHEMA + ".post_data";
  // No key on the statement: an index definition can be longer than a btree entry may be.
  static final String CREATE = "CREATE TABLE " + TABLE + " (statement text NOT NULL, step text NOT NULL,"
      + " subject text NOT NULL, done_at timestamptz NOT NULL)";

  PostDataStatements() {}

  @Override
  public Set<String> done(Connection target) throws SQLException {
    return new HashSet<>(RunRecord.query(target, "SELECT statement FROM " + TABLE, rs -> rs.getString(1)));
  }

  @Override
  public void add(Connection target, DdlStatement statement) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE
        + " (statement, step, subject, done_at) VALUES (?, ?, ?, clock_timestamp())")) {
      ps.setString(1, statement.sql());
      ps.setString(2, statement.step().label());
      ps.setString(3, statement.subject());
      ps.executeUpdate();
    }
  }
}
