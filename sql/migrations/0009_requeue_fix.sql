-- requeue_extract (0007) counted a pending dependency only on dependents that had not
-- completed, but complete_job decrements every dependent when the extract completes
-- again, which drove completed dependents below zero and failed the re-run extract.
-- Every dependent now waits once more (a completed one keeps its state and results; its
-- counter only returns to zero with the extract), so the two stay in step.
create or replace function spectra.requeue_extract(p_id bigint, p_token uuid, p_reason text)
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
        update spectra.jobs j
           set pending_dependencies = j.pending_dependencies + 1
          from spectra.job_dependencies d
         where d.depends_on = v_extract.id and j.id = d.job_id;
    end if;
    -- The spectrum job goes back without counting the attempt, blocked on the extract
    -- (its counter was raised above, or by whoever re-queued the extract first).
    update spectra.jobs
       set state = 'available', attempt = greatest(attempt - 1, 0), lease_token = null,
           lease_expires_at = null, leased_by = null, last_error = p_reason
     where id = p_id;
    return 'available';
end;
$$;

alter function spectra.requeue_extract(bigint, uuid, text) security definer set search_path = pg_catalog, pg_temp;
