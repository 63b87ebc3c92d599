-- Aggregation that recomputes only what new results touch. Before, `spectra aggregate`
-- refreshed five materialized views from scratch, and family_comparison searched its
-- curve for the neighbours of every grid point: 17 minutes on the paper's grid (2,109
-- checkpoints, 306,880 result rows), and again after every checkpoint.
--
-- Now layer_metrics, family_curves and phase_boundaries are tables with the same columns
-- and meaning, maintained by spectra.aggregate(): triggers on spectra.results append the
-- (run, checkpoint) of every written or deleted row to spectra.aggregate_pending, and the
-- aggregator recomputes the rows of those checkpoints (layer_metrics, family_curves) and
-- of their (run, model) pairs (phase_boundaries, the interpolated curves) in one
-- transaction: readers see the old rows until it commits and never wait. The
-- interpolation onto the token grid pairs each grid point with the segment between two
-- consecutive checkpoints that holds it (lead() over the curve), so its cost is linear in
-- the points. family_comparison becomes a plain view over the interpolated curves.
-- variant_comparison (0017) reads results directly and stays a materialized view.

-- Which (run, checkpoint) changed since the last aggregate; run_id null: everything
-- (a truncate, renamed runs or models, an upgrade). No key: writers append without
-- waiting on each other; the aggregator deletes what it saw and handles it.
create table spectra.aggregate_pending (
    run_id        bigint,
    checkpoint_id bigint,
    noted_at      timestamptz not null default now()
);

create function spectra.note_results_changed()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    if TG_OP = 'TRUNCATE' then
        insert into spectra.aggregate_pending (run_id, checkpoint_id) values (null, null);
        return null;
    end if;
    if TG_OP in ('INSERT', 'UPDATE') then
        insert into spectra.aggregate_pending (run_id, checkpoint_id)
        select distinct run_id, checkpoint_id from new_rows;
    end if;
    if TG_OP in ('DELETE', 'UPDATE') then
        insert into spectra.aggregate_pending (run_id, checkpoint_id)
        select distinct o.run_id, o.checkpoint_id from old_rows o;
    end if;
    return null;
end;
$$;

create trigger results_pending_on_insert after insert on spectra.results
    referencing new table as new_rows for each statement execute function spectra.note_results_changed();
create trigger results_pending_on_update after update on spectra.results
    referencing old table as old_rows new table as new_rows for each statement execute function spectra.note_results_changed();
create trigger results_pending_on_delete after delete on spectra.results
    referencing old table as old_rows for each statement execute function spectra.note_results_changed();
create trigger results_pending_on_truncate after truncate on spectra.results
    for each statement execute function spectra.note_results_changed();

-- Names, lineages, depths and tokens the views copy: changing them recomputes everything.
create function spectra.note_everything_changed()
returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    insert into spectra.aggregate_pending (run_id, checkpoint_id) values (null, null);
    return null;
end;
$$;

create trigger runs_pending after update of name, variant on spectra.runs
    for each statement execute function spectra.note_everything_changed();
create trigger models_pending after update of name, family, architecture, num_layers on spectra.models
    for each statement execute function spectra.note_everything_changed();
create trigger checkpoints_pending after update of revision, step, tokens_seen on spectra.checkpoints
    for each statement execute function spectra.note_everything_changed();

-- layer_metrics' count and top eigenvalue, kept beside the row: reading them from the
-- array fetches the whole array from TOAST (8 KiB and more a row), which was most of the
-- cost of rebuilding layer_metrics.
alter table spectra.results
    add column eigenvalue_count int generated always as (cardinality(eigenvalues)) stored,
    add column top_eigenvalue real generated always as (eigenvalues[1]) stored;

-- The materialized views give way to tables of the same names and columns.
drop materialized view spectra.family_comparison;
drop materialized view spectra.phase_boundaries;
drop materialized view spectra.family_curves;
drop materialized view spectra.layer_metrics;

create table spectra.layer_metrics (
    run_id bigint, run_name text, model text, family text, architecture text, checkpoint_id bigint,
    revision text, step bigint, tokens_seen bigint, layer int, relative_depth double precision,
    source text, pooling text, matrix text, rows int, columns int, method text,
    error_estimate double precision, sample_count int, eigenvalue_count int, top_eigenvalue real,
    spectral_norm double precision, frobenius_norm double precision, stable_rank double precision,
    log_norm double precision, powerlaw_alpha double precision, powerlaw_xmin double precision,
    powerlaw_ks_distance double precision, farms_alpha double precision, rankme double precision,
    rankme_garrido double precision, alpha_req double precision, participation_ratio double precision,
    renyi_entropy_1 double precision, renyi_entropy_2 double precision, metrics jsonb,
    elapsed_seconds double precision, worker text, created_at timestamptz
);
-- Rows are unique by construction (results' own key); indexes serve the aggregator's
-- per-checkpoint deletes and readers' lookups. Each index on family_curves costs about as
-- much as producing its rows, so there are two, not three.
create index layer_metrics_checkpoint on spectra.layer_metrics (run_id, checkpoint_id);
create index layer_metrics_model_layer on spectra.layer_metrics (model, layer, tokens_seen);

create table spectra.family_curves (
    run_id bigint, run_name text, variant text, model text, family text, lineage text,
    revision text, step bigint, tokens_seen bigint, layer int, relative_depth double precision,
    source text, pooling text, metric text, value double precision
);
create index family_curves_checkpoint on spectra.family_curves (run_id, model, revision);
create index family_curves_lookup on spectra.family_curves (metric, model, layer, tokens_seen);

create table spectra.phase_boundaries (
    run_id bigint, run_name text, variant text, model text, lineage text, layer int,
    relative_depth double precision, pooling text, checkpoints bigint,
    collapse_end_tokens bigint, entropy_peak_tokens bigint, compression_onset_tokens bigint,
    initial_rankme double precision, peak_rankme double precision, final_rankme double precision
);
create index phase_boundaries_model on spectra.phase_boundaries (run_id, model);

-- Each Pythia or OLMo curve (run, model, quarter of relative depth, source, pooling,
-- metric; layers in a quarter averaged) interpolated linearly in log10(tokens) onto
-- 10^3 … 10^14 tokens, four points a decade, only inside the curve's own range.
create table spectra.family_interpolated (
    run_id bigint, model text, lineage text, depth_bin double precision, source text, pooling text,
    metric text, tokens double precision, value double precision
);
create index family_interpolated_model on spectra.family_interpolated (run_id, model);
create index family_interpolated_match
    on spectra.family_interpolated (metric, source, pooling, depth_bin, tokens, lineage);

-- OLMo against Pythia: every Pythia curve paired with every OLMo curve at the same
-- grid point, depth quarter, source, pooling and metric.
create view spectra.family_comparison as
select o.metric, o.source, o.pooling, o.depth_bin, o.tokens,
       p.run_id as pythia_run_id, p.model as pythia_model, p.value as pythia_value,
       o.run_id as olmo_run_id, o.model as olmo_model, o.value as olmo_value,
       o.value - p.value as olmo_minus_pythia
  from spectra.family_interpolated o
  join spectra.family_interpolated p on (p.metric, p.source, p.pooling, p.depth_bin, p.tokens) = (o.metric, o.source, o.pooling, o.depth_bin, o.tokens)
 where o.lineage = 'olmo' and p.lineage = 'pythia';


grant select on spectra.layer_metrics, spectra.family_curves, spectra.phase_boundaries, spectra.family_interpolated,
                spectra.family_comparison to spectra_reader;

-- Brings the tables up to date with spectra.results: takes the pending (run, checkpoint)
-- pairs (all of them when p_full or when one says everything), deletes and recomputes
-- their rows, in the caller's transaction. One aggregator at a time (an advisory lock);
-- workers only append to the pending list, so neither waits on the other, and a result
-- committed after the pending list was read stays pending for the next call. Returns how
-- many (run, checkpoint) and (run, model) pairs it recomputed.
create function spectra.aggregate(p_full boolean default false,
                                  out checkpoints_recomputed int, out models_recomputed int)
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
-- JIT compiling these statements costs more than it saves; sorts and hashes of a full
-- rebuild stay in memory.
set jit = off set work_mem = '256MB' as $$
begin
    perform pg_advisory_xact_lock(hashtext('spectra.aggregate'));
    if to_regclass('pg_temp.aggregate_checkpoints') is not null then
        drop table pg_temp.aggregate_checkpoints, pg_temp.aggregate_models;
    end if;
    create temp table aggregate_checkpoints on commit drop as
    with taken as (delete from spectra.aggregate_pending returning run_id, checkpoint_id)
    select distinct run_id, checkpoint_id from taken;
    if p_full or exists (select 1 from aggregate_checkpoints where run_id is null or checkpoint_id is null) then
        truncate aggregate_checkpoints;
        insert into aggregate_checkpoints
        select distinct run_id, checkpoint_id from spectra.results
        union select distinct run_id, checkpoint_id from spectra.layer_metrics;
    end if;
    create temp table aggregate_models on commit drop as
    select distinct a.run_id, m.name as model
      from aggregate_checkpoints a
      join spectra.checkpoints c on c.id = a.checkpoint_id
      join spectra.models m on m.id = c.model_id
    union
    select distinct l.run_id, l.model from spectra.layer_metrics l
      join aggregate_checkpoints a on (a.run_id, a.checkpoint_id) = (l.run_id, l.checkpoint_id);
    analyze aggregate_checkpoints;
    analyze aggregate_models;

    -- layer_metrics: the definition of 0003.
    delete from spectra.layer_metrics l using aggregate_checkpoints a
     where (l.run_id, l.checkpoint_id) = (a.run_id, a.checkpoint_id);
    insert into spectra.layer_metrics
    select r.run_id, run.name, m.name, m.family, m.architecture, r.checkpoint_id, c.revision, c.step, c.tokens_seen,
           r.layer, (r.layer + 1)::double precision / m.num_layers, r.source, r.pooling, r.matrix, r.rows, r.columns,
           r.method, r.error_estimate, r.sample_count, r.eigenvalue_count, r.top_eigenvalue,
           (r.metrics ->> 'spectral_norm')::double precision,
           (r.metrics ->> 'frobenius_norm')::double precision,
           (r.metrics ->> 'stable_rank')::double precision,
           (r.metrics ->> 'log_norm')::double precision,
           (r.metrics ->> 'powerlaw_alpha')::double precision,
           (r.metrics ->> 'powerlaw_xmin')::double precision,
           (r.metrics ->> 'powerlaw_ks_distance')::double precision,
           (r.metrics ->> 'farms_alpha')::double precision,
           (r.metrics ->> 'rankme')::double precision,
           (r.metrics ->> 'rankme_garrido')::double precision,
           (r.metrics ->> 'alpha_req')::double precision,
           (r.metrics ->> 'participation_ratio')::double precision,
           (r.metrics ->> 'renyi_entropy_1')::double precision,
           (r.metrics ->> 'renyi_entropy_2')::double precision,
           r.metrics, r.elapsed_seconds, r.worker, r.created_at
      from aggregate_checkpoints a
      join spectra.results r on (r.run_id, r.checkpoint_id) = (a.run_id, a.checkpoint_id)
      join spectra.runs run on run.id = r.run_id
      join spectra.checkpoints c on c.id = r.checkpoint_id
      join spectra.models m on m.id = c.model_id;

    -- family_curves: the definition of 0008 (checkpoint = model and revision).
    delete from spectra.family_curves f using aggregate_checkpoints a, spectra.checkpoints c, spectra.models m
     where c.id = a.checkpoint_id and m.id = c.model_id
       and (f.run_id, f.model, f.revision) = (a.run_id, m.name, c.revision);
    insert into spectra.family_curves
    select r.run_id, run.name, run.variant, m.name, m.family, spectra.lineage(m.family, m.architecture),
           c.revision, c.step, c.tokens_seen, r.layer, r.layer::double precision / m.num_layers,
           r.source, r.pooling, kv.key, kv.value::double precision
      from aggregate_checkpoints a
      join spectra.results r on (r.run_id, r.checkpoint_id) = (a.run_id, a.checkpoint_id)
      join spectra.runs run on run.id = r.run_id
      join spectra.checkpoints c on c.id = r.checkpoint_id
      join spectra.models m on m.id = c.model_id
      cross join lateral jsonb_each_text(r.metrics) kv
     where r.source = 'representation'
    union all
    -- Weight rows: each metric averaged over the block's matrices (grouped by the
    -- checkpoint, which fixes run, model and revision, before the names are joined).
    select w.run_id, run.name, run.variant, m.name, m.family, spectra.lineage(m.family, m.architecture),
           c.revision, c.step, c.tokens_seen, w.layer, (w.layer + 1)::double precision / m.num_layers,
           'weights', '', w.metric, w.value
      from (select r.run_id, r.checkpoint_id, r.layer, kv.key as metric, avg(kv.value::double precision) as value
              from aggregate_checkpoints a
              join spectra.results r on (r.run_id, r.checkpoint_id) = (a.run_id, a.checkpoint_id)
              cross join lateral jsonb_each_text(r.metrics) kv
             where r.source = 'weights'
             group by r.run_id, r.checkpoint_id, r.layer, kv.key) w
      join spectra.runs run on run.id = w.run_id
      join spectra.checkpoints c on c.id = w.checkpoint_id
      join spectra.models m on m.id = c.model_id;

    -- phase_boundaries: the definition of 0008, per touched (run, model).
    delete from spectra.phase_boundaries b using aggregate_models a where (b.run_id, b.model) = (a.run_id, a.model);
    insert into spectra.phase_boundaries
    with trajectories as (
        select f.run_id, f.run_name, f.variant, f.model, f.lineage, f.layer, f.relative_depth, f.pooling,
               array_agg(f.tokens_seen order by f.tokens_seen) as tokens,
               array_agg(f.value order by f.tokens_seen) as rankme,
               count(*) as checkpoints
          from spectra.family_curves f
          join aggregate_models a on (a.run_id, a.model) = (f.run_id, f.model)
         where f.source = 'representation' and f.metric = 'rankme'
         group by f.run_id, f.run_name, f.variant, f.model, f.lineage, f.layer, f.relative_depth, f.pooling
    )
    select t.run_id, t.run_name, t.variant, t.model, t.lineage, t.layer, t.relative_depth, t.pooling, t.checkpoints,
           p.collapse_end_tokens, p.entropy_peak_tokens, p.compression_onset_tokens,
           t.rankme[1], t.rankme[array_position(t.tokens, p.entropy_peak_tokens)], t.rankme[cardinality(t.rankme)]
      from trajectories t
      cross join lateral spectra.detect_phases(t.tokens, t.rankme) p;

    -- The interpolated curves behind family_comparison (its 0008 definition, made linear):
    -- grid point g lies in the segment [t_i, t_i+1) of exactly one pair of consecutive
    -- checkpoints, or equals the last; at g = t_i the value is the checkpoint's own.
    delete from spectra.family_interpolated i using aggregate_models a where (i.run_id, i.model) = (a.run_id, a.model);
    insert into spectra.family_interpolated
    with points as (
        select f.run_id, f.model, f.lineage, round(f.relative_depth * 4) / 4 as depth_bin, f.source, f.pooling, f.metric,
               f.tokens_seen, avg(f.value) as value
          from spectra.family_curves f
          join aggregate_models a on (a.run_id, a.model) = (f.run_id, f.model)
         where f.tokens_seen > 0 and f.lineage in ('pythia', 'olmo') and f.value = f.value
         group by f.run_id, f.model, f.lineage, round(f.relative_depth * 4) / 4, f.source, f.pooling, f.metric, f.tokens_seen
    ), segments as (
        select p.*, lead(p.tokens_seen) over w as next_tokens, lead(p.value) over w as next_value
          from points p
        window w as (partition by p.run_id, p.model, p.depth_bin, p.source, p.pooling, p.metric order by p.tokens_seen)
    )
    select s.run_id, s.model, s.lineage, s.depth_bin, s.source, s.pooling, s.metric, g.tokens,
           case when g.tokens = s.tokens_seen then s.value
                else s.value + (s.next_value - s.value) * (log(g.tokens) - log(s.tokens_seen::double precision))
                               / (log(s.next_tokens::double precision) - log(s.tokens_seen::double precision)) end
      from segments s
      -- Candidate grid indices around the segment (one to spare each side against
      -- rounding in log10), then the exact test on the grid value itself.
      cross join lateral (
          select power(10::double precision, i / 4.0) as tokens
            from generate_series(greatest(12, floor(4 * log(s.tokens_seen::double precision))::int - 1),
                                 least(56, ceil(4 * log(coalesce(s.next_tokens, s.tokens_seen)::double precision))::int + 1)) i
      ) g
     where g.tokens >= s.tokens_seen
       and (g.tokens < s.next_tokens or (s.next_tokens is null and g.tokens = s.tokens_seen));

    select count(*) from aggregate_checkpoints into checkpoints_recomputed;
    select count(*) from aggregate_models into models_recomputed;
end;
$$;

-- Only the owner aggregates. (0006's per-schema default cannot take PUBLIC's execute
-- right away from new functions: per-schema defaults only add to the global ones.)
revoke execute on function spectra.aggregate(boolean) from public;

-- Everything already in spectra.results, aggregated now.
select spectra.aggregate(true);
