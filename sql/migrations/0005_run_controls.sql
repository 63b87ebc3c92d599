-- Run controls for operators (`spectra jobs pause|resume|cancel|retry`), run priority,
-- and the two reads a worker needs, as functions so the worker role needs no table
-- privileges on spectra.jobs.

-- Jobs planned into a paused run start paused.
create function spectra.jobs_inherit_pause()
returns trigger
language plpgsql as $$
begin
    new.paused := coalesce((select r.paused_at is not null from spectra.runs r where r.id = new.run_id), false);
    return new;
end;
$$;
create trigger jobs_inherit_pause before insert on spectra.jobs
    for each row execute function spectra.jobs_inherit_pause();

-- The run's id, locked against concurrent controls, or an error naming it.
create function spectra.lock_run(p_run bigint)
returns bigint
language plpgsql volatile as $$
begin
    perform 1 from spectra.runs where id = p_run for update;
    if not found then
        raise exception 'run #% does not exist', p_run using errcode = 'no_data_found';
    end if;
    return p_run;
end;
$$;

-- Stops handing out the run's jobs; running ones finish (and, if released, stay
-- paused). Returns how many unfinished jobs it paused.
create function spectra.pause_run(p_run bigint)
returns int
language sql volatile as $$
    select spectra.lock_run(p_run);
    update spectra.runs set paused_at = coalesce(paused_at, now()) where id = p_run;
    with paused as (
        update spectra.jobs set paused = true
         where run_id = p_run and state in ('available', 'running') and not paused
        returning 1)
    select count(*)::int from paused;
$$;

-- Makes a paused run's jobs claimable again. Returns how many it resumed.
create function spectra.resume_run(p_run bigint)
returns int
language sql volatile as $$
    select spectra.lock_run(p_run);
    update spectra.runs set paused_at = null where id = p_run;
    with resumed as (
        update spectra.jobs set paused = false where run_id = p_run and paused
        returning 1)
    select count(*)::int from resumed;
$$;

-- Discards every unfinished job of the run. A running job loses its lease at once, so
-- its heartbeat fails and its completion is fenced off: it writes nothing. Dependents
-- in other runs fail. Returns how many jobs it cancelled.
create function spectra.cancel_run(p_run bigint)
returns int
language plpgsql volatile as $$
declare
    v_name text;
    v_ids bigint[];
begin
    perform spectra.lock_run(p_run);
    update spectra.runs set cancelled_at = now() where id = p_run returning name into v_name;
    with cancelled as (
        update spectra.jobs
           set state = 'discarded', last_error = format('run %s (#%s) was cancelled', v_name, p_run),
               lease_token = null, leased_by = null, lease_expires_at = null
         where run_id = p_run and state in ('available', 'running')
        returning id)
    select coalesce(array_agg(id), '{}') into v_ids from cancelled;
    perform spectra.fail_dependents(v_ids);
    return cardinality(v_ids);
end;
$$;

-- Gives the run's failed and discarded jobs a fresh set of attempts (after the input
-- was fixed, or after a cancel). A retried job whose dependency stays failed fails
-- again at once, naming it. Returns how many jobs it retried.
create function spectra.retry_run(p_run bigint)
returns int
language plpgsql volatile as $$
declare
    v_ids bigint[];
begin
    perform spectra.lock_run(p_run);
    update spectra.runs set cancelled_at = null where id = p_run;
    with retried as (
        update spectra.jobs j
           set state = 'available', attempt = 0, run_after = now(),
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

-- Sets the priority of the run's unfinished jobs (higher is claimed first).
create function spectra.set_run_priority(p_run bigint, p_priority int)
returns int
language sql volatile as $$
    select spectra.lock_run(p_run);
    with changed as (
        update spectra.jobs set priority = p_priority
         where run_id = p_run and state in ('available', 'running')
        returning 1)
    select count(*)::int from changed;
$$;

-- Whether any job of these kinds may still need a worker without an operator acting:
-- running, or available in a run that is not paused.
create function spectra.outstanding_work(p_kinds text[] default null)
returns boolean
language sql stable as $$
    select exists (select 1 from spectra.jobs
                    where (state = 'running' or (state = 'available' and not paused))
                      and (p_kinds is null or kind = any (p_kinds)));
$$;

-- How a job stands for the holder of p_token, to settle a completion whose commit was
-- cut off: 'completed' (by this token), 'held' (still leased to it) or 'lost'.
create function spectra.settle_job(p_id bigint, p_token uuid)
returns text
language sql stable as $$
    select coalesce((
        select case when state = 'completed' and lease_token = p_token then 'completed'
                    when state = 'running' and lease_token = p_token and lease_expires_at > now() then 'held'
                    else 'lost' end
          from spectra.jobs where id = p_id), 'lost');
$$;
