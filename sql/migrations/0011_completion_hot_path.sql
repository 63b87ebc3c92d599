-- The per-job cost of the queue's hot path, measured with pgbench (tools/bench/queue.sh):
--
-- 1. Every result row paid three foreign-key checks, each a separate SPI query with a
--    FOR KEY SHARE lock (run, checkpoint, job): 3.4 ms of the 4.4 ms that inserting a
--    batch of 100 results took. They become one check per statement over the inserted
--    or updated rows, which is also stricter: a result written for a job must name that
--    job's run and checkpoint, not merely some run and checkpoint.
-- 2. A worker running jobs one at a time committed twice per job (its claim, then the
--    completion with its results). complete_and_claim completes a job and claims the
--    next in the same transaction, so a busy worker commits once per job.

alter table spectra.results
    drop constraint results_run_id_fkey,
    drop constraint results_checkpoint_id_fkey,
    drop constraint results_job_id_fkey;

-- Refuses, naming the first offending row, result rows whose job does not exist or
-- belongs to another run or checkpoint, and rows without a job (results loaded from
-- elsewhere) whose run or checkpoint does not exist. Security definer: workers may not
-- read the tables it checks.
create function spectra.check_result_owners()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_bad record;
begin
    select n.run_id, n.checkpoint_id, n.layer, n.source, n.pooling, n.matrix, n.job_id,
           case when n.job_id is not null and j.id is null then format('job %s does not exist', n.job_id)
                when n.job_id is not null then format('job %s belongs to run %s, checkpoint %s', j.id, j.run_id, j.checkpoint_id)
                when r.id is null then format('run %s does not exist', n.run_id)
                else format('checkpoint %s does not exist', n.checkpoint_id) end as reason
      into v_bad
      from new_rows n
      left join spectra.jobs j on j.id = n.job_id
      left join spectra.runs r on n.job_id is null and r.id = n.run_id
      left join spectra.checkpoints c on n.job_id is null and c.id = n.checkpoint_id
     where case when n.job_id is not null
                then j.id is null or j.run_id <> n.run_id or j.checkpoint_id <> n.checkpoint_id
                else r.id is null or c.id is null end
     limit 1;
    if found then
        raise foreign_key_violation using
            message = format('result refused (run %s, checkpoint %s, layer %s, %s, job %s): %s',
                             v_bad.run_id, v_bad.checkpoint_id, v_bad.layer,
                             concat_ws(' ', v_bad.source, nullif(v_bad.pooling, ''), nullif(v_bad.matrix, '')),
                             coalesce(v_bad.job_id::text, 'none'), v_bad.reason);
    end if;
    return null;
end;
$$;

-- PostgreSQL allows a transition table only on a single-event trigger: one for each.
create trigger results_owners_on_insert after insert on spectra.results
    referencing new table as new_rows for each statement execute function spectra.check_result_owners();
create trigger results_owners_on_update after update on spectra.results
    referencing new table as new_rows for each statement execute function spectra.check_result_owners();

-- What the dropped keys did on the other side: a job, run or checkpoint that results
-- name cannot be deleted. TG_ARGV[0] is the results column that refers to the table,
-- TG_ARGV[1] what one of its rows is called in the message.
create function spectra.keep_result_owners()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_id bigint;
begin
    execute format('select o.id from old_rows o where exists (select 1 from spectra.results r where r.%I = o.id) limit 1',
                   TG_ARGV[0])
       into v_id;
    if v_id is not null then
        raise foreign_key_violation using
            message = format('%s %s still has results (spectra.results.%s); delete them first', TG_ARGV[1], v_id, TG_ARGV[0]);
    end if;
    return null;
end;
$$;

create trigger jobs_keep_results after delete on spectra.jobs
    referencing old table as old_rows for each statement execute function spectra.keep_result_owners('job_id', 'job');
create trigger runs_keep_results after delete on spectra.runs
    referencing old table as old_rows for each statement execute function spectra.keep_result_owners('run_id', 'run');
create trigger checkpoints_keep_results after delete on spectra.checkpoints
    referencing old table as old_rows for each statement execute function spectra.keep_result_owners('checkpoint_id', 'checkpoint');

-- Completes a job (as complete_job) and, in the same transaction, claims up to p_limit
-- more (as claim_jobs), returning them. Called after the job's results are written in
-- the caller's transaction; when the lease is no longer held it raises SQLSTATE SP001,
-- so the results roll back with it and nothing is claimed.
create function spectra.complete_and_claim(p_id bigint, p_token uuid, p_worker text, p_limit int,
                                           p_lease_seconds double precision, p_kinds text[] default null)
returns setof spectra.jobs
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
begin
    if not spectra.complete_job(p_id, p_token) then
        raise exception 'job %: the lease expired or passed to another worker before completion', p_id
            using errcode = 'SP001';
    end if;
    if p_limit > 0 then
        return query select * from spectra.claim_jobs(p_worker, p_limit, p_lease_seconds, p_kinds);
    end if;
end;
$$;

grant execute on function spectra.complete_and_claim(bigint, uuid, text, int, double precision, text[]) to spectra_worker;
