-- Two roles with the least they need. Grant them to login roles, e.g.
--   create role node17 login password '…' in role spectra_worker;
-- spectra_worker may run the job protocol and write (upsert) results, nothing else; it reaches
-- spectra.jobs only through the protocol functions, which run as their owner
-- (security definer) with a fixed search_path. spectra_reader may read the public
-- views only. Views added by later migrations must grant spectra_reader themselves.

-- Roles are cluster-wide: another database on the server (or a concurrent migration of
-- one) may have created them already.
do $$
declare
    v_role text;
begin
    foreach v_role in array array['spectra_worker', 'spectra_reader'] loop
        if not exists (select 1 from pg_roles where rolname = v_role) then
            begin
                execute format('create role %I nologin', v_role);
            exception when duplicate_object or unique_violation then
                null;
            end;
        end if;
    end loop;
end;
$$;

-- PostgreSQL lets PUBLIC execute every new function; here nobody may unless granted.
revoke execute on all functions in schema spectra from public;
alter default privileges in schema spectra revoke execute on functions from public;

grant usage on schema spectra to spectra_worker, spectra_reader;

alter function spectra.claim_jobs(text, int, double precision, text[])   security definer set search_path = pg_catalog, pg_temp;
alter function spectra.heartbeat_job(bigint, uuid, double precision, jsonb) security definer set search_path = pg_catalog, pg_temp;
alter function spectra.heartbeat_jobs(bigint[], uuid[], double precision) security definer set search_path = pg_catalog, pg_temp;
alter function spectra.complete_job(bigint, uuid)                      security definer set search_path = pg_catalog, pg_temp;
alter function spectra.complete_jobs(bigint[], uuid[])                 security definer set search_path = pg_catalog, pg_temp;
alter function spectra.fail_job(bigint, uuid, text, boolean)           security definer set search_path = pg_catalog, pg_temp;
alter function spectra.release_job(bigint, uuid, jsonb)                security definer set search_path = pg_catalog, pg_temp;
alter function spectra.reap_expired_jobs()                             security definer set search_path = pg_catalog, pg_temp;
alter function spectra.outstanding_work(text[])                        security definer set search_path = pg_catalog, pg_temp;
alter function spectra.settle_job(bigint, uuid)                        security definer set search_path = pg_catalog, pg_temp;

grant execute on function
    spectra.claim_jobs(text, int, double precision, text[]),
    spectra.heartbeat_job(bigint, uuid, double precision, jsonb),
    spectra.heartbeat_jobs(bigint[], uuid[], double precision),
    spectra.complete_job(bigint, uuid),
    spectra.complete_jobs(bigint[], uuid[]),
    spectra.fail_job(bigint, uuid, text, boolean),
    spectra.release_job(bigint, uuid, jsonb),
    spectra.reap_expired_jobs(),
    spectra.outstanding_work(text[]),
    spectra.settle_job(bigint, uuid)
to spectra_worker;

-- Results are upserted (insert … on conflict … do update set x = excluded.x), which in
-- PostgreSQL 15 needs select on the table, not only on the conflict key's columns.
-- The worker reads back only what workers write; runs, models and the queue stay closed.
grant select, insert, update on spectra.results to spectra_worker;
grant usage on sequence spectra.results_id_seq to spectra_worker;

grant select on spectra.layer_metrics to spectra_reader;
