-- The job protocol as SQL functions, so any language can be a worker. Time is always
-- the database's now(), never a worker's clock.

-- Claim up to p_limit claimable jobs: a fresh lease token each, attempt + 1.
create function spectra.claim_jobs(p_worker text, p_limit int, p_lease_seconds double precision,
                                   p_kinds text[] default null)
returns setof spectra.jobs
language sql volatile as $$
    update spectra.jobs j
       set state = 'running',
           attempt = j.attempt + 1,
           lease_token = gen_random_uuid(),
           leased_by = p_worker,
           lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where j.id in (
           select c.id from spectra.jobs c
            where c.state = 'available'
              and c.run_after <= now()
              and (p_kinds is null or c.kind = any (p_kinds))
            order by c.priority desc, c.run_after, c.id
            for update skip locked
            limit p_limit)
    returning j.*;
$$;

-- Extend a lease. False means the lease is lost (expired, reaped or re-claimed):
-- the worker must stop and write nothing.
create function spectra.heartbeat_job(p_id bigint, p_token uuid, p_lease_seconds double precision,
                                      p_progress jsonb default null)
returns boolean
language sql volatile as $$
    with touched as (
        update spectra.jobs
           set lease_expires_at = now() + make_interval(secs => p_lease_seconds),
               progress = coalesce(p_progress, progress)
         where id = p_id and lease_token = p_token and state = 'running'
           and lease_expires_at > now()
        returning 1)
    select exists (select 1 from touched);
$$;

-- Mark a job completed. Called in the same transaction that writes its results, which
-- the caller rolls back when this returns false: a late completion from a worker whose
-- lease expired changes nothing (fencing).
create function spectra.complete_job(p_id bigint, p_token uuid)
returns boolean
language sql volatile as $$
    with done as (
        update spectra.jobs
           set state = 'completed', completed_at = now(), lease_expires_at = null,
               last_error = null
         where id = p_id and lease_token = p_token and state = 'running'
           and lease_expires_at > now()
        returning 1)
    select exists (select 1 from done);
$$;

-- Record a failure. Permanent failures (bad input) end in 'failed'. Transient ones are
-- retried after an exponential backoff with ±25% jitter (2 s, 4 s, 8 s … capped at
-- 10 minutes), and end in 'discarded' once max_attempts is reached. Returns the new
-- state, or null when the lease was already lost.
create function spectra.fail_job(p_id bigint, p_token uuid, p_error text, p_permanent boolean)
returns spectra.job_state
language sql volatile as $$
    update spectra.jobs
       set state = case when p_permanent then 'failed'::spectra.job_state
                        when attempt >= max_attempts then 'discarded'::spectra.job_state
                        else 'available'::spectra.job_state end,
           run_after = now() + make_interval(secs => least(power(2, attempt), 600) * (0.75 + random() * 0.5)),
           last_error = p_error,
           lease_token = null, leased_by = null, lease_expires_at = null
     where id = p_id and lease_token = p_token and state = 'running'
    returning state;
$$;

-- Give a job back (preemption, shutdown) without counting the attempt, keeping its
-- progress so the next claimer resumes where this one stopped.
create function spectra.release_job(p_id bigint, p_token uuid, p_progress jsonb default null)
returns boolean
language sql volatile as $$
    with released as (
        update spectra.jobs
           set state = 'available', attempt = greatest(attempt - 1, 0), run_after = now(),
               progress = coalesce(p_progress, progress),
               lease_token = null, leased_by = null, lease_expires_at = null
         where id = p_id and lease_token = p_token and state = 'running'
        returning 1)
    select exists (select 1 from released);
$$;

-- Return expired leases to 'available' (the attempt stays counted: a job that kills its
-- worker every time must not loop forever), or discard them when attempts are spent.
-- Any worker may run it. Returns how many leases were reaped.
create function spectra.reap_expired_jobs()
returns int
language sql volatile as $$
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
        returning 1)
    select count(*)::int from reaped;
$$;
