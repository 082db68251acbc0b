package dev.pg2citus.runrecord;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an earlier run left on the target.
 *
 * @param done the steps it finished
 * @param partitionsDone how many of its partitions committed
 * @param partitions how many it planned (0 until the data phase began)
 * @param finishedAt when it was verified, or null
 */
public record EarlierRun(Set<RunStep> done, long partitionsDone, long partitions, String finishedAt) {
  public EarlierRun {
    done = done.isEmpty() ? EnumSet.noneOf(RunStep.class) : EnumSet.copyOf(done);
  }

  public boolean finished() {
    return done.contains(RunStep.VERIFIED);
  }

  /** How far it got, for messages. */
  public String describe() {
    if (finished()) {
      return "a finished run (verified at " + finishedAt + ")";
    }
    if (!done.contains(RunStep.CREATED)) {
      return "a run that stopped in create";
    }
    return partitions == 0 ? "a run whose tables were created"
        : "an earlier run (" + partitionsDone + " of " + partitions + " partitions done"
            + (done.contains(RunStep.LOADED) ? ", finalize not finished" : "") + ")";
  }
}
