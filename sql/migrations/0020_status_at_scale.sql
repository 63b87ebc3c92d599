-- `spectra status` without reading every job.
--
-- Status counted each run's jobs by kind and state with a scan of all the run's rows, and
-- then read them again for the live workers and the failures: with 1.1 M jobs in the table
-- it took 7.3 s for all 8 runs, 0.62 s for one (under load). Now:
--
-- * spectra.job_counts holds the number of jobs per (run, kind, bucket), where the bucket
--   is the state with 'available' split the way status shows it: 'waiting' (blocked on a
--   dependency), 'paused' (claimable but the run is paused) and 'available'. Statement
--   triggers on spectra.jobs append the net change of every statement that inserts,
--   updates or deletes jobs, in the same transaction, so the sums are exact in any
--   snapshot. Rows are only appended (no key, nothing to lock): concurrent claims and
--   completions do not wait on each other or deadlock over a shared counter row.
--   spectra.compact_job_counts() folds the appended rows into one per key; workers call
--   it with every reap (on the heartbeat thread's timer), so the table stays small.
-- * Completions of the last minutes come from an index on (run_id, completed_at) that
--   holds completed jobs only, so the rate and ETA read the window, not the run.
-- * Failed and discarded jobs (the "most common failures") have a partial index of their
--   own; claims and completions add no entry to it.
--
-- A column list cannot be given with transition tables, so the update trigger also runs
-- for heartbeats; it appends nothing when no job changed bucket.

-- Locked until the migration commits, so no change slips between the triggers' creation
-- and the first count (spectra.recount_jobs() below).
lock table spectra.jobs in share row exclusive mode;

create function spectra.job_bucket(p_state spectra.job_state, p_pending_dependencies int, p_paused boolean)
returns text
language sql immutable parallel safe as $$
    select case when p_state <> 'available' then p_state::text
                when p_pending_dependencies > 0 then 'waiting'
                when p_paused then 'paused'
                else 'available' end;
$$;

-- Signed changes: the sum over a key's rows is its number of jobs. first_created_at is the
-- earliest created_at of the jobs an insert added (the rate's span for a young run).
create table spectra.job_counts (
    run_id           bigint not null,
    kind             text   not null,
    bucket           text   not null check (bucket in ('available', 'waiting', 'paused', 'running', 'completed', 'failed', 'discarded')),
    jobs             bigint not null,
    first_created_at timestamptz
);
alter table spectra.job_counts set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                                    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);

create function spectra.count_jobs()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    if TG_OP = 'INSERT' then
        insert into spectra.job_counts (run_id, kind, bucket, jobs, first_created_at)
        select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused), count(*), min(created_at)
          from new_rows
         group by 1, 2, 3;
    elsif TG_OP = 'UPDATE' then
        insert into spectra.job_counts (run_id, kind, bucket, jobs)
        select run_id, kind, bucket, sum(n)
          from (select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused) as bucket, 1 as n from new_rows
                union all
                select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused), -1 from old_rows) d
         group by 1, 2, 3
        having sum(n) <> 0;
    elsif TG_OP = 'DELETE' then
        insert into spectra.job_counts (run_id, kind, bucket, jobs)
        select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused), -count(*)
          from old_rows
         group by 1, 2, 3;
    else
        delete from spectra.job_counts;
    end if;
    return null;
end;
$$;

create trigger jobs_count_insert after insert on spectra.jobs
    referencing new table as new_rows for each statement execute function spectra.count_jobs();
create trigger jobs_count_update after update on spectra.jobs
    referencing old table as old_rows new table as new_rows for each statement execute function spectra.count_jobs();
create trigger jobs_count_delete after delete on spectra.jobs
    referencing old table as old_rows for each statement execute function spectra.count_jobs();
create trigger jobs_count_truncate after truncate on spectra.jobs
    for each statement execute function spectra.count_jobs();

-- Folds the keys that have more than one row into one row each (keys that sum to zero
-- and carry no first_created_at disappear). Exact under concurrent writers: it deletes
-- the rows its snapshot sees and inserts their sums; rows appended meanwhile stay. One
-- compaction at a time (the others return 0 at once). Returns the rows deleted.
create function spectra.compact_job_counts()
returns integer
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_folded int;
begin
    if not pg_try_advisory_xact_lock(hashtext('spectra.compact_job_counts')) then
        return 0;
    end if;
    with taken as (
        delete from spectra.job_counts c
         where (c.run_id, c.kind, c.bucket) in (select run_id, kind, bucket from spectra.job_counts
                                                 group by 1, 2, 3 having count(*) > 1)
        returning c.*
    ), folded as (
        insert into spectra.job_counts (run_id, kind, bucket, jobs, first_created_at)
        select run_id, kind, bucket, sum(jobs), min(first_created_at)
          from taken
         group by 1, 2, 3
        having sum(jobs) <> 0 or min(first_created_at) is not null
        returning 1
    )
    select count(*)::int from taken into v_folded;
    return v_folded;
end;
$$;

-- Counts every job again, for when the triggers were bypassed (a data-only restore with
-- --disable-triggers, session_replication_role = replica). Writers of spectra.jobs wait
-- until it commits. Returns the number of jobs.
create function spectra.recount_jobs()
returns bigint
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_jobs bigint;
begin
    lock table spectra.jobs in share row exclusive mode;
    -- A compaction that committed folded rows this delete did not see would count twice.
    perform pg_advisory_xact_lock(hashtext('spectra.compact_job_counts'));
    delete from spectra.job_counts;
    insert into spectra.job_counts (run_id, kind, bucket, jobs, first_created_at)
    select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused), count(*), min(created_at)
      from spectra.jobs
     group by 1, 2, 3;
    select coalesce(sum(jobs), 0)::bigint from spectra.job_counts into v_jobs;
    return v_jobs;
end;
$$;

select spectra.recount_jobs();

revoke execute on function spectra.job_bucket(spectra.job_state, int, boolean), spectra.count_jobs(),
    spectra.compact_job_counts(), spectra.recount_jobs() from public;
-- Workers compact with every reap (JobQueue.reapExpired), in the reap's statement.
grant execute on function spectra.compact_job_counts() to spectra_worker;

-- The window of recent completions (rate and ETA), and the failures. The kind rides in
-- the index so the window is counted by an index-only scan: with 790,000 completions in
-- the window (tools/bench/scale.sh), status took 1.7–2.2 s reading the heap and 0.3 s
-- without.
create index jobs_completed on spectra.jobs (run_id, completed_at) include (kind) where completed_at is not null;
create index jobs_failures on spectra.jobs (run_id) where state in ('failed', 'discarded');
