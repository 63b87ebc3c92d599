-- Result rows for every completed-to-be job of the planned grid, as finished workers
-- leave them, except checkpoint :held (the next checkpoint to land) when :include is
-- false, only that checkpoint when it is true; when :runs (comma-separated run names) is
-- not empty, only the completed jobs of those runs. Representation rows carry 2,048
-- eigenvalues; weight rows min(rows, columns) = the model's width.
-- Eigenvalues come from a pool of 8 random descending arrays per length (each row still
-- stores its own copy, so table and TOAST sizes are real); metrics vary with tokens and
-- depth so that curves and phases are not flat.
create temp table pool as
select n, k, (select array_agg(v order by v desc) from (select (random() * 100)::real as v
                                                         from generate_series(1, n) i where k >= 0) x) as eigenvalues
  from (select distinct hidden_size as n from spectra.models union select 2048) sizes,
       generate_series(0, 7) k;

create temp table todo as
select j.id, j.run_id, j.kind, j.checkpoint_id, j.layer, j.pooling, m.hidden_size, m.num_layers, m.architecture,
       ln(c.tokens_seen + 2.0) as lt
  from spectra.jobs j
  join spectra.checkpoints c on c.id = j.checkpoint_id
  join spectra.models m on m.id = c.model_id
 where (j.checkpoint_id = :held) = :include
   and (:'runs' = '' or (j.state = 'completed'
                         and j.run_id in (select id from spectra.runs where name = any (string_to_array(:'runs', ',')))));

insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns, eigenvalues, metrics,
                             method, error_estimate, sample_count, elapsed_seconds, worker, job_id)
select t.run_id, t.checkpoint_id, t.layer, 'representation', t.pooling, '', 15000, t.hidden_size, p.eigenvalues,
       jsonb_build_object(
           'rankme', 20 + 15 * sin(t.lt / 3 + t.layer) + 10 * (t.lt / 26) + random(),
           'rankme_garrido', 18 + 12 * sin(t.lt / 3 + t.layer) + random(),
           'alpha_req', 0.8 + 0.3 * cos(t.lt / 4) + 0.01 * random(),
           'participation_ratio', 5 + 3 * sin(t.lt / 5) + random(),
           'stable_rank', 2 + sin(t.lt / 6) + 0.1 * random(),
           'renyi_entropy_1', 3 + sin(t.lt / 3) + 0.01 * random(),
           'renyi_entropy_2', 2.5 + sin(t.lt / 3) + 0.01 * random()),
       'gram', null, 15000, 1.5, 'bench:1/0', t.id
  from todo t join pool p on p.n = 2048 and p.k = t.id % 8
 where t.kind = 'spectrum';

insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns, eigenvalues, metrics,
                             method, elapsed_seconds, worker, job_id)
select t.run_id, t.checkpoint_id, t.layer, 'weights', '', w.label, 4 * t.hidden_size, t.hidden_size, p.eigenvalues,
       jsonb_build_object(
           'spectral_norm', 10 + t.lt / 2 + random(), 'frobenius_norm', 40 + t.lt + random(),
           'stable_rank', 8 + sin(t.lt / 4 + t.layer) + random(), 'log_norm', 1.5 + 0.1 * t.lt,
           'log_spectral_norm', 1 + 0.05 * t.lt, 'alpha_weighted', 3 + 0.1 * t.lt,
           'powerlaw_alpha', 2 + 2 * exp(-t.lt / 10) + 0.1 * random(), 'powerlaw_xmin', 0.5 + random(),
           'powerlaw_ks_distance', 0.05 * random(), 'farms_alpha', 2.5 + exp(-t.lt / 12)),
       'exact', 0.8, 'bench:1/0', t.id
  from todo t
  join pool p on p.n = t.hidden_size and p.k = t.id % 8
  cross join lateral unnest(case when t.architecture like 'Olmo%'
                                 then array['attn.q', 'attn.k', 'attn.v', 'attn.out', 'mlp.gate', 'mlp.in', 'mlp.out']
                                 else array['attn.qkv', 'attn.out', 'mlp.in', 'mlp.out'] end) w(label)
 where t.kind = 'weights';

update spectra.jobs j set state = 'completed', attempt = 1, completed_at = coalesce(j.completed_at, now())
  from todo t where t.id = j.id;
