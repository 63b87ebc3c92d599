-- Every state change of a job rewrote five index entries: the primary key, the plan's
-- unique key, jobs_run_state and the partial fetch and running indexes. The per-run
-- lookups jobs_run_state served (status, pause, cancel, retry: all `where run_id = …`)
-- are answered as well by the unique key, whose leading column is run_id, so a claim and
-- a completion now maintain four.
drop index spectra.jobs_run_state;
