-- Infrastructure faults are not the job's fault. Before, a PostgreSQL restart while a
-- worker wrote a job's results, or a full artifact disk, went through fail_job like a bad
-- input: it spent one of the job's attempts, and repeated outages pushed healthy jobs to
-- `discarded`. And a job whose worker died was reaped with its old last_error (or none),
-- so nobody could tell a poison input that kills workers from a slow one.
--
-- Now:
-- * jobs.infra_faults counts the infrastructure faults a job met (lost connection,
--   server restart, artifact store I/O error). They have their own budget, four times
--   max_attempts; within it they cost no attempt, beyond it each costs one as before.
-- * note_fault(id, token, error) records a fault the worker survived while still holding
--   the lease (it reconnected and retries the completion): last_error says what happened
--   and, unlike other errors, survives the completion of that same lease, so a completed
--   job shows the outage it went through. jobs.faulted_lease marks whose fault it was.
-- * retry_after_fault(id, token, error, progress) gives the job back without counting
--   the attempt (saving its progress), after a short backoff.
-- * retry_run (`spectra jobs retry`) resets the fault budget with the attempts.
-- * reap_expired_jobs says whose lease was lost and when; after max_attempts such losses
--   the job is discarded with that reason (the attempt was counted at the claim, as
--   before: the database cannot tell a dead worker from one cut off for a whole lease).

alter table spectra.jobs
    add column infra_faults integer not null default 0 check (infra_faults >= 0),
    add column faulted_lease uuid;

create function spectra.note_fault(p_id bigint, p_token uuid, p_error text)
returns boolean
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    update spectra.jobs
       set infra_faults = infra_faults + 1, faulted_lease = p_token,
           last_error = format('infrastructure fault %s, not counted as an attempt: %s', infra_faults + 1, p_error)
     where id = p_id and lease_token = p_token and state = 'running' and lease_expires_at > now();
    return found;
end;
$$;

create function spectra.retry_after_fault(p_id bigint, p_token uuid, p_error text, p_progress jsonb default null)
returns spectra.job_state
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_job spectra.jobs;
    v_budget int;
begin
    select * into v_job from spectra.jobs
     where id = p_id and lease_token = p_token and state = 'running'
       for update;
    if not found then
        return null;
    end if;
    v_budget := 4 * v_job.max_attempts;
    if v_job.infra_faults >= v_budget then
        update spectra.jobs set infra_faults = infra_faults + 1, progress = coalesce(p_progress, progress)
         where id = p_id;
        return spectra.fail_job(p_id, p_token,
            format('infrastructure fault %s, over its budget of %s, counted as attempt %s of %s: %s',
                   v_job.infra_faults + 1, v_budget, v_job.attempt, v_job.max_attempts, p_error), false);
    end if;
    update spectra.jobs
       set state = 'available', attempt = greatest(attempt - 1, 0),
           run_after = now() + make_interval(secs => least(power(2, infra_faults), 60) * (0.75 + random() * 0.5)),
           progress = coalesce(p_progress, progress),
           infra_faults = infra_faults + 1, faulted_lease = null,
           last_error = format('infrastructure fault %s (of %s allowed), not counted as an attempt: %s',
                               infra_faults + 1, v_budget, p_error),
           lease_token = null, leased_by = null, lease_expires_at = null
     where id = p_id;
    return 'available';
end;
$$;

-- As in 0011, but last_error survives when the fault it records happened under this lease.
create or replace function spectra.complete_job(p_id bigint, p_token uuid)
returns boolean
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    update spectra.jobs
       set state = 'completed', completed_at = now(), lease_expires_at = null,
           last_error = case when faulted_lease = p_token then last_error end, faulted_lease = null,
           completions = completions + 1
     where id = p_id and lease_token = p_token and state = 'running'
       and lease_expires_at > now();
    if not found then
        return false;
    end if;
    update spectra.jobs j
       set pending_dependencies = j.pending_dependencies - 1
      from spectra.job_dependencies d
     where d.depends_on = p_id and j.id = d.job_id;
    return true;
end;
$$;

create or replace function spectra.complete_jobs(p_ids bigint[], p_tokens uuid[])
returns setof bigint
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_done bigint[];
begin
    with done as (
        update spectra.jobs j
           set state = 'completed', completed_at = now(), lease_expires_at = null,
               last_error = case when j.faulted_lease = j.lease_token then j.last_error end, faulted_lease = null,
               completions = j.completions + 1
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

create or replace function spectra.reap_expired_jobs()
returns integer
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_reaped int;
    v_discarded bigint[];
begin
    with reaped as (
        update spectra.jobs
           set state = case when attempt >= max_attempts then 'discarded'::spectra.job_state
                            else 'available'::spectra.job_state end,
               last_error = format('worker %s lost its lease at %s on attempt %s of %s (the worker died, hung, or could not reach the database)%s',
                                   coalesce(leased_by, '(unnamed)'),
                                   to_char(lease_expires_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
                                   attempt, max_attempts,
                                   case when attempt >= max_attempts then '; no attempts left' else '' end),
               run_after = now(), faulted_lease = null,
               lease_token = null, leased_by = null, lease_expires_at = null
         where state = 'running' and lease_expires_at < now()
        returning id, state)
    select count(*)::int, coalesce(array_agg(id) filter (where state = 'discarded'), '{}')
      into v_reaped, v_discarded from reaped;
    if cardinality(v_discarded) > 0 then
        perform spectra.fail_dependents(v_discarded);
    end if;
    return v_reaped;
end;
$$;

-- As in 0005; a retried job gets a fresh fault budget along with its fresh attempts.
create or replace function spectra.retry_run(p_run bigint)
returns int
language plpgsql volatile as $$
declare
    v_ids bigint[];
begin
    perform spectra.lock_run(p_run);
    update spectra.runs set cancelled_at = null where id = p_run;
    with retried as (
        update spectra.jobs j
           set state = 'available', attempt = 0, infra_faults = 0, faulted_lease = null, run_after = now(),
               lease_token = null, leased_by = null, lease_expires_at = null,
               paused = (select r.paused_at is not null from spectra.runs r where r.id = j.run_id),
               pending_dependencies = (select count(*) from spectra.job_dependencies d
                                         join spectra.jobs dep on dep.id = d.depends_on
                                        where d.job_id = j.id and dep.state <> 'completed')
         where j.run_id = p_run and j.state in ('failed', 'discarded')
        returning j.id)
    select coalesce(array_agg(id), '{}') into v_ids from retried;
    perform spectra.fail_dependents(array(
        select distinct d.depends_on from spectra.job_dependencies d join spectra.jobs dep on dep.id = d.depends_on
         where d.job_id = any (v_ids) and dep.state in ('failed', 'discarded')));
    return cardinality(v_ids);
end;
$$;

revoke execute on function spectra.note_fault(bigint, uuid, text) from public;
revoke execute on function spectra.retry_after_fault(bigint, uuid, text, jsonb) from public;
grant execute on function spectra.note_fault(bigint, uuid, text) to spectra_worker;
grant execute on function spectra.retry_after_fault(bigint, uuid, text, jsonb) to spectra_worker;
