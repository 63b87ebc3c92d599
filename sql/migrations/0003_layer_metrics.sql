-- spectra.layer_metrics: one row per run × model × checkpoint × layer × matrix, with
-- tokens seen and every stored metric as a column (NULL where a metric does not apply).
-- `spectra aggregate` refreshes it concurrently, so readers never block.
create materialized view spectra.layer_metrics as
select r.run_id,
       run.name                       as run_name,
       m.name                         as model,
       m.family,
       m.architecture,
       r.checkpoint_id,
       c.revision,
       c.step,
       c.tokens_seen,
       r.layer,
       (r.layer + 1)::double precision / m.num_layers as relative_depth,
       r.source,
       r.pooling,
       r.matrix,
       r.rows,
       r.columns,
       r.method,
       r.error_estimate,
       r.sample_count,
       cardinality(r.eigenvalues)     as eigenvalue_count,
       r.eigenvalues[1]               as top_eigenvalue,
       (r.metrics ->> 'spectral_norm')::double precision        as spectral_norm,
       (r.metrics ->> 'frobenius_norm')::double precision       as frobenius_norm,
       (r.metrics ->> 'stable_rank')::double precision          as stable_rank,
       (r.metrics ->> 'log_norm')::double precision             as log_norm,
       (r.metrics ->> 'powerlaw_alpha')::double precision       as powerlaw_alpha,
       (r.metrics ->> 'powerlaw_xmin')::double precision        as powerlaw_xmin,
       (r.metrics ->> 'powerlaw_ks_distance')::double precision as powerlaw_ks_distance,
       (r.metrics ->> 'farms_alpha')::double precision          as farms_alpha,
       (r.metrics ->> 'rankme')::double precision               as rankme,
       (r.metrics ->> 'rankme_garrido')::double precision       as rankme_garrido,
       (r.metrics ->> 'alpha_req')::double precision            as alpha_req,
       (r.metrics ->> 'participation_ratio')::double precision  as participation_ratio,
       (r.metrics ->> 'renyi_entropy_1')::double precision      as renyi_entropy_1,
       (r.metrics ->> 'renyi_entropy_2')::double precision      as renyi_entropy_2,
       r.metrics,
       r.elapsed_seconds,
       r.worker,
       r.created_at
  from spectra.results r
  join spectra.runs run on run.id = r.run_id
  join spectra.checkpoints c on c.id = r.checkpoint_id
  join spectra.models m on m.id = c.model_id;

-- A unique index is what REFRESH ... CONCURRENTLY requires.
create unique index layer_metrics_key
    on spectra.layer_metrics (run_id, checkpoint_id, layer, source, pooling, matrix);
create index layer_metrics_model_layer on spectra.layer_metrics (model, layer, tokens_seen);
