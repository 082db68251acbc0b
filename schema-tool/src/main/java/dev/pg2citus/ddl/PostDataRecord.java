package dev.pg2citus.ddl;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Which post-data statements took effect, kept on the target beside the load's run record, so a
 * resumed migration issues only the statements still missing. A statement is added in the
 * transaction that runs it, so the record never claims what did not commit.
 */
public interface PostDataRecord {
  /** No record: the standalone {@code finalize} runs every statement. */
  PostDataRecord NONE = new PostDataRecord() {
    @Override
    public Set<String> done(Connection target) {
      return Set.of();
    }

    @Override
    public void add(Connection target, DdlStatement statement) {}
  };

  /** The SQL of every statement recorded as done. */
  Set<String> done(Connection target) throws SQLException;

  /** Records {@code statement} as done, inside the caller's open transaction. */
  void add(Connection target, DdlStatement statement) throws SQLException;
}
