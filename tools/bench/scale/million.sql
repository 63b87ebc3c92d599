-- Six copies of the planned grid's jobs under runs of their own, so that spectra.jobs
-- holds about a million rows: five copies completed, one still to run (available).
insert into spectra.runs (name, family, config)
select 'scale-copy-' || g, 'pythia', jsonb_build_object('copy', g) from generate_series(1, 6) g;

insert into spectra.jobs (run_id, kind, checkpoint_id, layer, pooling, args, state, attempt, completed_at)
select r.id, j.kind, j.checkpoint_id, j.layer, j.pooling, j.args,
       case when r.name = 'scale-copy-6' then 'available' else 'completed' end::spectra.job_state,
       case when r.name = 'scale-copy-6' then 0 else 1 end,
       case when r.name = 'scale-copy-6' then null else now() end
  from spectra.jobs j
  cross join spectra.runs r
 where r.name like 'scale-copy-%' and j.run_id in (select id from spectra.runs where name not like 'scale-copy-%');
vacuum analyze spectra.jobs;
