-- The plan key (run, kind, checkpoint, layer, pooling) moves out of spectra.jobs into a
-- table of its own, written once per job when it is planned.
--
-- Every claim and completion is a non-HOT update of the job's row, so each one used to
-- add an entry to every index on spectra.jobs. For the unique plan key that meant
-- comparing five columns and re-checking uniqueness against the row's older versions.
-- Measured with pgbench (tools/bench/queue.sh, batch 100, 8 clients), that key was the
-- largest single index cost of the batched hot path: the full benchmark went from 15.2k
-- to 18.4k jobs/s with it moved here (BENCHMARKS.md).
create table spectra.job_keys (
    run_id        bigint not null,
    kind          text   not null,
    checkpoint_id bigint not null,
    layer         int,
    pooling       text,
    -- Deferred: the key is written by the jobs row's BEFORE INSERT trigger, before the
    -- row it names exists. Deleting a job deletes its key, so it can be planned again.
    job_id        bigint not null references spectra.jobs (id) on delete cascade deferrable initially deferred,
    unique nulls not distinct (run_id, kind, checkpoint_id, layer, pooling)
);
create index job_keys_job on spectra.job_keys (job_id);

insert into spectra.job_keys (run_id, kind, checkpoint_id, layer, pooling, job_id)
select run_id, kind, checkpoint_id, layer, pooling, id from spectra.jobs;

-- A job whose plan key exists already is not inserted: every insert into spectra.jobs
-- behaves as ON CONFLICT DO NOTHING did on the old key, which is how the planner
-- inserts (replanning adds only what is missing). A concurrent planner inserting the
-- same key waits for the first one's transaction, as it did on the unique index.
create function spectra.jobs_plan_key()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    insert into spectra.job_keys (run_id, kind, checkpoint_id, layer, pooling, job_id)
    values (new.run_id, new.kind, new.checkpoint_id, new.layer, new.pooling, new.id)
    on conflict do nothing;
    if not found then
        return null;
    end if;
    return new;
end;
$$;
create trigger jobs_plan_key before insert on spectra.jobs
    for each row execute function spectra.jobs_plan_key();

alter table spectra.jobs drop constraint jobs_run_id_kind_checkpoint_id_layer_pooling_key;
-- The per-run lookups (status, pause, resume, cancel, retry, priority) used the old
-- key's leading column.
create index jobs_run on spectra.jobs (run_id);
