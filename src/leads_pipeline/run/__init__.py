"""Running the stages: one recorded run under the database lock (`pipeline`), the lock, the run
log (`audit`) and the crash points the recovery tests use (`faults`)."""
