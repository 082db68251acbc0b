package dev.pg2citus.runrecord;

/**
 * The steps of a migration, in order, as the run record marks them once each has taken full
 * effect; a resumed run starts at the first one missing: after {@code CREATED} the partitions
 * left (none once {@code LOADED}, which is there for the record and messages), after {@code
 * FINALIZED} verification alone; {@link #VERIFIED} marks a finished run. Not to be confused with
 * {@code ddl.Step}, the kinds of statement a phase runs.
 */
public enum RunStep {
  CREATED, LOADED, FINALIZED, VERIFIED
}
