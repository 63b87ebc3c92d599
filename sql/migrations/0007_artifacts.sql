-- The artifact store's index: one row per pooled activation matrix an `extract` job
-- wrote (a float32 .npy of samples × hidden size), with the SHA-256 of the file's bytes,
-- so a `spectrum` job can refuse an artifact that changed on shared storage.
-- Paths are relative to the store's root, which is a worker setting (--artifacts), so
-- the same rows serve workers that mount the store at different places.
create table spectra.artifacts (
    run_id        bigint not null references spectra.runs (id),
    checkpoint_id bigint not null references spectra.checkpoints (id),
    layer         int    not null check (layer >= 0),
    pooling       text   not null check (pooling in ('last', 'mean')),
    path          text   not null,
    sha256        text   not null check (sha256 ~ '^[0-9a-f]{64}$'),
    rows          int    not null check (rows > 0),
    columns       int    not null check (columns > 0),
    -- The probe lines (0-based indices into the probe file) in the order they are rows.
    sample_lines  int[]  not null,
    job_id        bigint references spectra.jobs (id),
    worker        text   not null,
    created_at    timestamptz not null default now(),
    primary key (run_id, checkpoint_id, layer, pooling)
);

-- A spectrum job found its artifact missing or not matching its checksum: the extract
-- that made it runs again and the spectrum job waits for it, instead of computing a
-- number from bad data. Fenced by the spectrum job's lease token like every protocol
-- call. The extract's attempts still count, so storage that keeps corrupting its files
-- ends in a discarded extract (and failed dependents) rather than a loop. Returns the
-- state the spectrum job is left in, or null when its lease was no longer held.
create function spectra.requeue_extract(p_id bigint, p_token uuid, p_reason text)
returns spectra.job_state
language plpgsql volatile as $$
declare
    v_extract spectra.jobs;
begin
    perform 1 from spectra.jobs
     where id = p_id and lease_token = p_token and state = 'running' and lease_expires_at > now()
       for update;
    if not found then
        return null;
    end if;
    select e.* into v_extract
      from spectra.job_dependencies d join spectra.jobs e on e.id = d.depends_on
     where d.job_id = p_id and e.kind = 'extract'
       for update of e;
    if not found or v_extract.attempt >= v_extract.max_attempts then
        update spectra.jobs
           set state = 'failed', lease_expires_at = null,
               last_error = p_reason || case when v_extract.id is null then ' (no extract job to redo)'
                   else format(' (extract job #%s has used its %s attempts)', v_extract.id, v_extract.max_attempts) end
         where id = p_id;
        return 'failed';
    end if;
    if v_extract.state = 'completed' then
        update spectra.jobs
           set state = 'available', completed_at = null, lease_token = null, lease_expires_at = null,
               progress = null, run_after = now(),
               last_error = format('re-queued by spectrum job #%s: %s', p_id, p_reason)
         where id = v_extract.id;
        delete from spectra.artifacts a
         using spectra.jobs e
         where e.id = v_extract.id and a.run_id = e.run_id and a.checkpoint_id = e.checkpoint_id;
        -- Everything still waiting on the extract waits again; completed dependents keep
        -- the results they computed from the artifact they verified.
        update spectra.jobs j
           set pending_dependencies = j.pending_dependencies + 1
          from spectra.job_dependencies d
         where d.depends_on = v_extract.id and j.id = d.job_id and j.state <> 'completed'
           and j.id <> p_id;
    end if;
    -- The spectrum job goes back without counting the attempt, blocked on the extract.
    update spectra.jobs
       set state = 'available', attempt = greatest(attempt - 1, 0), lease_token = null,
           lease_expires_at = null, leased_by = null,
           pending_dependencies = pending_dependencies
               + case when v_extract.state in ('completed') then 1 else 0 end,
           last_error = p_reason
     where id = p_id;
    return 'available';
end;
$$;

alter function spectra.requeue_extract(bigint, uuid, text) security definer set search_path = pg_catalog, pg_temp;
grant execute on function spectra.requeue_extract(bigint, uuid, text) to spectra_worker;
grant select, insert, update on spectra.artifacts to spectra_worker;
