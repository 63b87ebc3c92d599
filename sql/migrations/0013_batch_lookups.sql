-- complete_jobs and heartbeat_jobs (0004) read every running job of the whole queue to
-- touch the few in their batch.
--
-- Both joined spectra.jobs to `unnest(p_ids, p_tokens)` on id. The planner estimated
-- the running set from statistics gathered when few jobs ran, and so hashed the output
-- of a full scan of the running index against the batch. With 10,100 jobs running,
-- completing a batch of 100 read all 10,100 rows: 7.8 ms, against 2.1 ms when it probes
-- only the 100 ids (EXPLAIN ANALYZE, tools/bench/queue/seed.sql data). Every worker pays
-- that on every batch and every batched heartbeat, so the cost grew with the cluster.
--
-- The batch's ids are now the index condition (`id = any (p_ids)`), and each row's
-- token is looked up by the position of its id in the batch. No plan can join anything
-- else in. A token from another pair in the batch never matches, since tokens are
-- unique per claim.

-- Completes a batch (see 0004).
create or replace function spectra.complete_jobs(p_ids bigint[], p_tokens uuid[])
returns setof bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_done bigint[];
begin
    with done as (
        update spectra.jobs j
           set state = 'completed', completed_at = now(), lease_expires_at = null,
               last_error = null, completions = j.completions + 1
         where j.id = any (p_ids) and j.lease_token = p_tokens[array_position(p_ids, j.id)]
           and j.state = 'running' and j.lease_expires_at > now()
        returning j.id)
    select coalesce(array_agg(id), '{}') into v_done from done;
    -- Grouped, because UPDATE … FROM changes a row once even when it joins twice.
    update spectra.jobs j
       set pending_dependencies = j.pending_dependencies - d.n
      from (select job_id, count(*)::int as n from spectra.job_dependencies
             where depends_on = any (v_done) group by job_id) d
     where j.id = d.job_id;
    return query select unnest(v_done);
end;
$$;

-- Extends a batch of leases (see 0004); returns the ids still held.
create or replace function spectra.heartbeat_jobs(p_ids bigint[], p_tokens uuid[], p_lease_seconds double precision)
returns setof bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
begin
    return query
    update spectra.jobs j
       set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where j.id = any (p_ids) and j.lease_token = p_tokens[array_position(p_ids, j.id)]
       and j.state = 'running' and j.lease_expires_at > now()
    returning j.id;
end;
$$;
