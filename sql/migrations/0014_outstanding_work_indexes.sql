-- outstanding_work (0005) read the whole of spectra.jobs when the answer was no.
--
-- A draining worker whose claim came back empty asks it on every poll. Its one
-- condition, `state = 'running' or (state = 'available' and not paused)`, matches no
-- index, so the planner scanned the table: 146 ms with 1,000,000 completed jobs and
-- nothing left for the worker's kinds, on every poll of every idle slot.
--
-- The question is now asked in three parts, each answered from a partial index: running
-- jobs (jobs_running), claimable ones (jobs_fetch), and the ones still waiting on a
-- dependency (a new index). The new index holds only jobs that wait on a dependency,
-- so a claim or a completion of any other job adds no entry to it. Same table:
-- 0.4 ms.
create index jobs_waiting on spectra.jobs (id) where state = 'available' and pending_dependencies > 0 and not paused;

create or replace function spectra.outstanding_work(p_kinds text[] default null)
returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
    select exists (select 1 from spectra.jobs
                    where state = 'running' and (p_kinds is null or kind = any (p_kinds)))
        or exists (select 1 from spectra.jobs
                    where state = 'available' and pending_dependencies = 0 and not paused
                      and (p_kinds is null or kind = any (p_kinds)))
        or exists (select 1 from spectra.jobs
                    where state = 'available' and pending_dependencies > 0 and not paused
                      and (p_kinds is null or kind = any (p_kinds)));
$$;
