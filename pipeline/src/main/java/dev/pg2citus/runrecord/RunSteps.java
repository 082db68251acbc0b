package dev.pg2citus.runrecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The steps of the run that have taken full effect, in {@code pg2citus.steps}. */
public final class RunSteps {
  static final String TABLE = RunRecord.SCHEMA + ".steps";
  static final String CREATE = "CREATE TABLE " + TABLE + " (step text PRIMARY KEY, done_at timestamptz)";

  private final Connection target;

  RunSteps(Connection target) {
    this.target = target;
  }

  /** Marks {@code step} as having taken full effect. */
  public void done(RunStep step) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, clock_timestamp())"
        + " ON CONFLICT (step) DO UPDATE SET done_at = excluded.done_at")) {
      ps.setString(1, step.name());
      ps.executeUpdate();
    }
  }
}
