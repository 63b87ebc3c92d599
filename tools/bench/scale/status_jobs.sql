-- About a million jobs shaped like the paper's grid, in SQL, for timing `spectra status`
-- (tools/bench/status_scale.sh). Models and checkpoints as the real planner makes them
-- for Pythia's 8 sizes × 154 revisions and OLMo-1B/7B (351 + 526 checkpoints); per
-- checkpoint one extract job, a spectrum job per layer 0…L and pooling (last, mean),
-- each depending on the extract, and a weights job per block 0…L-1: 157,755 jobs a grid.
-- Eight runs hold 7 grids (1,104,285 jobs): pythia-grid and olmo-grid (one family each)
-- and six copies with both families. Progress as runs mid-way leave it, checkpoint by
-- checkpoint in claim order:
--   * copy-1…copy-4 finished three days ago; pythia-grid 40 % done, olmo-grid 10 %,
--     copy-5 60 % and paused, copy-6 not started;
--   * before a run's cut everything is completed (about 19 jobs/s, so that the last five
--     minutes hold a realistic number of completions), except 1 in 500 spectrum and
--     weights jobs failed and 1 in 500 discarded, with a handful of distinct errors;
--   * the 16 checkpoints after the cut of a run that is not paused have their extract
--     running, under live leases held by 4 processes × 4 slots;
--   * after the cut: extracts and weights available, spectrum jobs waiting on the extract.

insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
select name, family, architecture, layers, width, 'bench/' || name
  from (values ('pythia-70m', 'pythia', 'GPTNeoXForCausalLM', 6, 512), ('pythia-160m', 'pythia', 'GPTNeoXForCausalLM', 12, 768),
               ('pythia-410m', 'pythia', 'GPTNeoXForCausalLM', 24, 1024), ('pythia-1b', 'pythia', 'GPTNeoXForCausalLM', 16, 2048),
               ('pythia-1.4b', 'pythia', 'GPTNeoXForCausalLM', 24, 2048), ('pythia-2.8b', 'pythia', 'GPTNeoXForCausalLM', 32, 2560),
               ('pythia-6.9b', 'pythia', 'GPTNeoXForCausalLM', 32, 4096), ('pythia-12b', 'pythia', 'GPTNeoXForCausalLM', 36, 5120),
               ('olmo-1b', 'olmo', 'OlmoForCausalLM', 16, 2048), ('olmo-7b', 'olmo', 'OlmoForCausalLM', 32, 4096)
       ) m(name, family, architecture, layers, width);

-- Pythia: steps 0, 1, 2, 4, …, 512, then every 1,000 to 143,000; OLMo: every 1,000 steps.
insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
select m.id, 'step' || s.step, s.step, s.step::bigint * case m.family when 'pythia' then 2097152 else 4194304 end, 'bench'
  from spectra.models m
  cross join lateral (
      select step from (select 0 as step union all select (2 ^ i)::int from generate_series(0, 9) i
                        union all select 1000 * i from generate_series(1, 143) i) p where m.family = 'pythia'
      union all
      select 1000 * i from generate_series(1, case m.name when 'olmo-1b' then 351 else 526 end) i where m.family = 'olmo'
  ) s;

insert into spectra.runs (name, family, config, created_at, paused_at)
select name, family, jsonb_build_object('bench', 'status_scale'), now() - created, case when name = 'copy-5' then now() - interval '1 hour' end
  from (values ('pythia-grid', 'pythia', interval '2 hours'), ('olmo-grid', 'olmo', interval '1 hour'),
               ('copy-1', 'pythia', interval '5 days'), ('copy-2', 'pythia', interval '5 days'),
               ('copy-3', 'pythia', interval '5 days'), ('copy-4', 'pythia', interval '5 days'),
               ('copy-5', 'pythia', interval '4 hours'), ('copy-6', 'pythia', interval '10 minutes')) r(name, family, created);

-- Each run's checkpoints in claim order, with the run's cut.
create temp table plan as
select r.id as run_id, r.created_at, r.name as run_name, r.paused_at is not null as paused,
       c.id as checkpoint_id, m.num_layers,
       row_number() over (partition by r.id order by m.id, c.step) - 1 as k,
       floor(count(*) over (partition by r.id) * case r.name when 'pythia-grid' then 0.4 when 'olmo-grid' then 0.1
             when 'copy-5' then 0.6 when 'copy-6' then 0 else 1 end)::int as cut,
       case when r.name like 'copy-_' and r.name <= 'copy-4' then interval '3 days' else interval '0' end as finished_ago
  from spectra.runs r
  join spectra.models m on r.name like 'copy-%' or m.family = r.family
  join spectra.checkpoints c on c.model_id = m.id;

-- The job of checkpoint k at ordinal o (a stable pseudo-random number per job): its state.
create function pg_temp.bench_state(k bigint, cut int, o int, fallible boolean) returns spectra.job_state
language sql immutable as $$
    select case when k >= cut then 'available'
                when fallible and o % 500 = 0 then 'failed'
                when fallible and o % 500 = 1 then 'discarded'
                else 'completed' end::spectra.job_state
$$;

create temp table args as
select jsonb_build_object('probe', 'examples/probe.txt', 'probe_sha256', repeat('0123456789abcdef', 4), 'samples', 15000,
                          'max_tokens', 2048, 'dtype', 'float32', 'seed', 0, 'method', 'auto', 'rank', 2048,
                          'artifacts', '/scratch/spectra/artifacts', 'version', 'bench') as args;

insert into spectra.jobs (run_id, kind, checkpoint_id, args, priority, state, attempt, leased_by, lease_token,
                          lease_expires_at, completed_at, completions, created_at, run_after)
select p.run_id, 'extract', p.checkpoint_id, a.args, 1,
       case when p.k < p.cut then 'completed' when not p.paused and p.k < p.cut + 16 then 'running' else 'available' end::spectra.job_state,
       case when p.k < p.cut + 16 and not (p.k >= p.cut and p.paused) then 1 else 0 end,
       case when p.k >= p.cut and p.k < p.cut + 16 and not p.paused then format('node-%s:%s/%s', (p.k - p.cut) % 4, 4000 + (p.k - p.cut) % 4, (p.k - p.cut) / 4) end,
       case when p.k >= p.cut and p.k < p.cut + 16 and not p.paused then gen_random_uuid() end,
       case when p.k >= p.cut and p.k < p.cut + 16 and not p.paused then now() + interval '5 minutes' end,
       case when p.k < p.cut then now() - p.finished_ago - (p.cut - p.k) * interval '4 seconds' end,
       case when p.k < p.cut then 1 else 0 end, p.created_at, p.created_at
  from plan p, args a;

insert into spectra.jobs (run_id, kind, checkpoint_id, layer, pooling, args, state, attempt, last_error,
                          completed_at, completions, pending_dependencies, created_at, run_after)
select p.run_id, 'spectrum', p.checkpoint_id, l, pooling, a.args, s.state,
       case when s.state = 'discarded' then 5 when s.state = 'available' then 0 else 1 end,
       case s.state when 'failed' then (array['eigenvalues not finite: NaN in row 17 of the Gram matrix',
                                             'artifact checksum mismatch: the activations file changed after extraction',
                                             'tensor gpt_neox.layers.3.attention.dense.weight: shape [768, 512] does not match the config'])[1 + o % 3]
                    when 'discarded' then format('lease expired on attempt 5 of 5 (worker node-%s:4000/1)', o % 4) end,
       case when s.state = 'completed' then now() - p.finished_ago - (p.cut - p.k) * interval '4 seconds' + l * interval '40 milliseconds' end,
       case when s.state = 'completed' then 1 else 0 end,
       case when p.k >= p.cut then 1 else 0 end, p.created_at, p.created_at
  from plan p, args a,
       generate_series(0, p.num_layers) l,
       unnest(array['last', 'mean']) pooling
       cross join lateral (select (p.checkpoint_id * 131 + l * 7 + length(pooling))::int as o) h
       cross join lateral (select pg_temp.bench_state(p.k, p.cut, h.o, true) as state) s;

insert into spectra.jobs (run_id, kind, checkpoint_id, layer, args, priority, state, attempt, last_error,
                          completed_at, completions, created_at, run_after)
select p.run_id, 'weights', p.checkpoint_id, l, a.args, 1, s.state,
       case when s.state = 'discarded' then 5 when s.state = 'available' then 0 else 1 end,
       case s.state when 'failed' then (array['safetensors header of model-00002-of-00003.safetensors: offsets overlap',
                                             'tensor gpt_neox.layers.3.attention.dense.weight: shape [768, 512] does not match the config'])[1 + o % 2]
                    when 'discarded' then format('lease expired on attempt 5 of 5 (worker node-%s:4000/2)', o % 4) end,
       case when s.state = 'completed' then now() - p.finished_ago - (p.cut - p.k) * interval '4 seconds' + l * interval '30 milliseconds' end,
       case when s.state = 'completed' then 1 else 0 end, p.created_at, p.created_at
  from plan p, args a,
       generate_series(0, p.num_layers - 1) l
       cross join lateral (select (p.checkpoint_id * 137 + l * 11)::int as o) h
       cross join lateral (select pg_temp.bench_state(p.k, p.cut, h.o, true) as state) s;

insert into spectra.job_dependencies (job_id, depends_on)
select s.id, e.id
  from spectra.jobs s
  join spectra.jobs e on e.run_id = s.run_id and e.checkpoint_id = s.checkpoint_id and e.kind = 'extract'
 where s.kind = 'spectrum';

