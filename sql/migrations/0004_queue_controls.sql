-- Queue controls: job dependencies, pause/resume/cancel/retry of a run, run priority,
-- and an audit count of completion transactions. Functions of 0002 that must learn
-- about these are replaced here with the same signatures.

alter table spectra.runs
    add column paused_at    timestamptz,
    add column cancelled_at timestamptz;

alter table spectra.jobs
    -- Dependencies not yet completed; a job is claimable only at zero. Kept as a counter
    -- (maintained by complete/add_dependency/retry) so claiming never joins.
    add column pending_dependencies int not null default 0 check (pending_dependencies >= 0),
    -- Copied from the run on pause/resume (and on insert), for the same reason.
    add column paused boolean not null default false,
    -- Committed completion transactions: complete_job increments it inside the
    -- transaction that writes the results, so a rolled-back completion leaves no trace.
    -- Exactly-once shows as completions = 1 on every completed job.
    add column completions int not null default 0;

create table spectra.job_dependencies (
    job_id     bigint not null references spectra.jobs (id) on delete cascade,
    depends_on bigint not null references spectra.jobs (id) on delete cascade,
    primary key (job_id, depends_on),
    check (job_id <> depends_on)
);
create index job_dependencies_reverse on spectra.job_dependencies (depends_on);

-- The fetch index holds only rows a claim may take, so paused runs and blocked jobs
-- cost a claim nothing however many there are.
drop index spectra.jobs_fetch;
create index jobs_fetch on spectra.jobs (priority desc, run_after, id)
    where state = 'available' and pending_dependencies = 0 and not paused;
-- Lets reaping read only the running rows. It indexes id (never updated) under a
-- predicate on state (unchanged by heartbeats), so heartbeats stay HOT updates.
create index jobs_running on spectra.jobs (id) where state = 'running';

-- The hot protocol functions are PL/pgSQL because it keeps each statement's plan for
-- the session, where a SQL function re-plans its body on every call (2.5 ms against
-- 0.5 ms for a claim). `id = any (array(…))` rather than `id in (…)`: the kept plan
-- is generic in p_limit, and with `in` the planner guesses ~1,000 rows and hash-joins
-- a sequential scan of the whole table; this form always probes the primary key.
create or replace function spectra.claim_jobs(p_worker text, p_limit int, p_lease_seconds double precision,
                                              p_kinds text[] default null)
returns setof spectra.jobs
language plpgsql volatile as $$
begin
    return query
    update spectra.jobs j
       set state = 'running',
           attempt = j.attempt + 1,
           lease_token = gen_random_uuid(),
           leased_by = p_worker,
           lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where j.id = any (array(
           select c.id from spectra.jobs c
            where c.state = 'available' and c.pending_dependencies = 0 and not c.paused
              and c.run_after <= now()
              and (p_kinds is null or c.kind = any (p_kinds))
            order by c.priority desc, c.run_after, c.id
            for update skip locked
            limit p_limit))
    returning j.*;
end;
$$;

-- Extends a lease (see 0002).
create or replace function spectra.heartbeat_job(p_id bigint, p_token uuid, p_lease_seconds double precision,
                                                 p_progress jsonb default null)
returns boolean
language plpgsql volatile as $$
begin
    update spectra.jobs
       set lease_expires_at = now() + make_interval(secs => p_lease_seconds),
           progress = coalesce(p_progress, progress)
     where id = p_id and lease_token = p_token and state = 'running'
       and lease_expires_at > now();
    return found;
end;
$$;

-- Extends many leases in one round trip (a worker's jobs waiting in a claimed batch);
-- returns the ids still held. Jobs with progress to save use heartbeat_job.
create function spectra.heartbeat_jobs(p_ids bigint[], p_tokens uuid[], p_lease_seconds double precision)
returns setof bigint
language plpgsql volatile as $$
begin
    return query
    update spectra.jobs j
       set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
      from unnest(p_ids, p_tokens) as t(id, token)
     where j.id = t.id and j.lease_token = t.token and j.state = 'running'
       and j.lease_expires_at > now()
    returning j.id;
end;
$$;

-- Gives a job back without counting the attempt (see 0002).
create or replace function spectra.release_job(p_id bigint, p_token uuid, p_progress jsonb default null)
returns boolean
language plpgsql volatile as $$
begin
    update spectra.jobs
       set state = 'available', attempt = greatest(attempt - 1, 0), run_after = now(),
           progress = coalesce(p_progress, progress),
           lease_token = null, leased_by = null, lease_expires_at = null
     where id = p_id and lease_token = p_token and state = 'running';
    return found;
end;
$$;

-- Fails, transitively, every waiting job that depends on one of p_roots (jobs that just
-- ended failed or discarded), naming the dependency and the root cause. Returns how
-- many jobs it failed.
create function spectra.fail_dependents(p_roots bigint[])
returns int
language sql volatile as $$
    with recursive doomed (id, cause, root) as (
        select d.job_id, d.depends_on, d.depends_on
          from spectra.job_dependencies d where d.depends_on = any (p_roots)
        union
        select d.job_id, d.depends_on, doomed.root
          from spectra.job_dependencies d join doomed on d.depends_on = doomed.id
    ), one as (
        select distinct on (id) id, cause, root from doomed order by id, cause
    ), failed as (
        update spectra.jobs j
           set state = 'failed',
               last_error = case when one.cause = one.root
                   then format('dependency %s job #%s was %s: %s', r.kind, r.id, r.state, coalesce(r.last_error, 'no error recorded'))
                   else format('dependency job #%s cannot run because its dependency %s job #%s was %s: %s',
                               one.cause, r.kind, r.id, r.state, coalesce(r.last_error, 'no error recorded')) end
          from one join spectra.jobs r on r.id = one.root
         where j.id = one.id and j.state = 'available'
        returning 1)
    select count(*)::int from failed;
$$;

-- Marks a job completed (see 0002), counts the completion and unblocks its dependents.
create or replace function spectra.complete_job(p_id bigint, p_token uuid)
returns boolean
language plpgsql volatile as $$
begin
    update spectra.jobs
       set state = 'completed', completed_at = now(), lease_expires_at = null,
           last_error = null, completions = completions + 1
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

-- Completes a batch in one transaction; returns the ids whose lease was still held
-- (the caller writes results for those only, in the same transaction).
create function spectra.complete_jobs(p_ids bigint[], p_tokens uuid[])
returns setof bigint
language plpgsql volatile as $$
declare
    v_done bigint[];
begin
    with done as (
        update spectra.jobs j
           set state = 'completed', completed_at = now(), lease_expires_at = null,
               last_error = null, completions = j.completions + 1
          from unnest(p_ids, p_tokens) as t(id, token)
         where j.id = t.id and j.lease_token = t.token and j.state = 'running'
           and j.lease_expires_at > now()
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

-- Records a failure (see 0002); a job that ends failed or discarded fails its dependents.
create or replace function spectra.fail_job(p_id bigint, p_token uuid, p_error text, p_permanent boolean)
returns spectra.job_state
language plpgsql volatile as $$
declare
    v_state spectra.job_state;
begin
    update spectra.jobs
       set state = case when p_permanent then 'failed'::spectra.job_state
                        when attempt >= max_attempts then 'discarded'::spectra.job_state
                        else 'available'::spectra.job_state end,
           run_after = now() + make_interval(secs => least(power(2, attempt), 600) * (0.75 + random() * 0.5)),
           last_error = p_error,
           lease_token = null, leased_by = null, lease_expires_at = null
     where id = p_id and lease_token = p_token and state = 'running'
    returning state into v_state;
    if v_state in ('failed', 'discarded') then
        perform spectra.fail_dependents(array[p_id]);
    end if;
    return v_state;
end;
$$;

-- Returns expired leases to the queue (see 0002); discarded jobs fail their dependents.
create or replace function spectra.reap_expired_jobs()
returns int
language plpgsql volatile as $$
declare
    v_reaped int;
    v_discarded bigint[];
begin
    with reaped as (
        update spectra.jobs
           set state = case when attempt >= max_attempts then 'discarded'::spectra.job_state
                            else 'available'::spectra.job_state end,
               last_error = case when attempt >= max_attempts
                                 then format('lease expired on attempt %s of %s (worker %s)', attempt, max_attempts, leased_by)
                                 else last_error end,
               run_after = now(),
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

-- Makes p_job wait for p_depends_on. Only a job still waiting to run can gain a
-- dependency; one on a failed or discarded job fails it at once; cycles are refused.
create function spectra.add_dependency(p_job bigint, p_depends_on bigint)
returns void
language plpgsql volatile as $$
declare
    v_job_state spectra.job_state;
    v_dep_state spectra.job_state;
begin
    -- Locks both rows: a completion of the dependency must either precede this (seen as
    -- completed here) or wait and then see the new edge when it unblocks dependents.
    select state into v_job_state from spectra.jobs where id = p_job for update;
    if not found then
        raise exception 'job #% does not exist', p_job using errcode = 'foreign_key_violation';
    end if;
    select state into v_dep_state from spectra.jobs where id = p_depends_on for share;
    if not found then
        raise exception 'job #% cannot depend on job #%: no such job', p_job, p_depends_on using errcode = 'foreign_key_violation';
    end if;
    if v_job_state <> 'available' then
        raise exception 'job #% is % and can no longer gain dependencies', p_job, v_job_state using errcode = 'check_violation';
    end if;
    if exists (with recursive upstream (id) as (
                   select p_depends_on
                   union
                   select d.depends_on from spectra.job_dependencies d join upstream u on d.job_id = u.id)
               select 1 from upstream where id = p_job) then
        raise exception 'job #% cannot depend on job #%: that would make a cycle', p_job, p_depends_on using errcode = 'check_violation';
    end if;
    insert into spectra.job_dependencies (job_id, depends_on) values (p_job, p_depends_on) on conflict do nothing;
    if not found then
        return;
    end if;
    if v_dep_state in ('failed', 'discarded') then
        perform spectra.fail_dependents(array[p_depends_on]);
    elsif v_dep_state <> 'completed' then
        update spectra.jobs set pending_dependencies = pending_dependencies + 1 where id = p_job;
    end if;
end;
$$;
