-- The views researchers query: metric curves over tokens seen, where each model's
-- RankMe trajectory changes phase, OLMo against Pythia at matched tokens and depth, and
-- post-training variants against their base. All are materialized and refreshed
-- concurrently by `spectra aggregate`, so readers never wait.

alter table spectra.runs add column variant text;

-- Why a metric is missing from a result's metrics (α-ReQ of a rank-deficient spectrum):
-- {"unavailable": {"alpha_req": "…"}}. Metrics themselves stay numbers only.
alter table spectra.results add column notes jsonb;

-- Which lineage a model belongs to for comparisons: Pythia (GPT-NeoX) or OLMo (OLMo, OLMo-2),
-- whether it came from a built-in catalog or a local series named "pythia-like".
create function spectra.lineage(p_family text, p_architecture text)
returns text
language sql immutable as $$
    select case
        when p_family like 'pythia%' or p_architecture = 'GPTNeoXForCausalLM' then 'pythia'
        when p_family like 'olmo%' or p_architecture like 'Olmo%' then 'olmo'
        else p_family end;
$$;

-- One row per run × model × checkpoint × layer × pooling × metric. Representation rows
-- are per hidden state (relative depth = index / L: 0 embeddings, 1 after the final
-- norm); weight rows average each metric over the block's matrices (relative depth =
-- (block + 1) / L).
create materialized view spectra.family_curves as
select r.run_id, run.name as run_name, run.variant, m.name as model, m.family,
       spectra.lineage(m.family, m.architecture) as lineage,
       c.revision, c.step, c.tokens_seen, r.layer,
       r.layer::double precision / m.num_layers as relative_depth,
       r.source, r.pooling, kv.key as metric, kv.value::double precision as value
  from spectra.results r
  join spectra.runs run on run.id = r.run_id
  join spectra.checkpoints c on c.id = r.checkpoint_id
  join spectra.models m on m.id = c.model_id
  cross join lateral jsonb_each_text(r.metrics) kv
 where r.source = 'representation'
union all
select r.run_id, run.name, run.variant, m.name, m.family, spectra.lineage(m.family, m.architecture),
       c.revision, c.step, c.tokens_seen, r.layer,
       (r.layer + 1)::double precision / m.num_layers,
       r.source, '', kv.key, avg(kv.value::double precision)
  from spectra.results r
  join spectra.runs run on run.id = r.run_id
  join spectra.checkpoints c on c.id = r.checkpoint_id
  join spectra.models m on m.id = c.model_id
  cross join lateral jsonb_each_text(r.metrics) kv
 where r.source = 'weights'
 group by r.run_id, run.name, run.variant, m.name, m.family, m.architecture, c.revision, c.step, c.tokens_seen,
          r.layer, m.num_layers, r.source, kv.key;

create unique index family_curves_key on spectra.family_curves (run_id, model, revision, layer, source, pooling, metric);
create index family_curves_lookup on spectra.family_curves (metric, model, layer, tokens_seen);

-- Phase boundaries of one trajectory (values ordered by tokens), the method:
--   1. y = ln(RankMe) per checkpoint; at least 5 checkpoints, else nothing is claimed.
--   2. Smooth with a centred 3-checkpoint moving average (checkpoints are log-spaced in
--      tokens, so this is a window in log-tokens), truncated at the ends.
--   3. Warmup collapse end: the checkpoint with the smallest smoothed y, reported when it
--      lies at least delta below the first checkpoint's and something after it rises at
--      least delta above it (a dip that training climbs out of).
--   4. Entropy-seeking peak: the largest smoothed y after the collapse (over the whole
--      trajectory when there was none).
--   5. Compression onset: the first checkpoint after the peak from which the smoothed y
--      stays at least delta below the peak to the end of the trajectory.
-- delta (default 0.05, i.e. about 5% in RankMe) keeps noise from reading as a phase.
create function spectra.detect_phases(p_tokens bigint[], p_values double precision[],
                                      p_delta double precision default 0.05,
                                      out collapse_end_tokens bigint, out entropy_peak_tokens bigint,
                                      out compression_onset_tokens bigint)
language plpgsql immutable as $$
declare
    n int := coalesce(cardinality(p_values), 0);
    y double precision[];
    s double precision[] := '{}';
    peak int := 1;
    low int := 1;
    onset int;
begin
    if n < 5 or cardinality(p_tokens) <> n then
        return;
    end if;
    for i in 1..n loop
        if p_values[i] is null or p_values[i] <= 0 then
            return;
        end if;
        y[i] := ln(p_values[i]);
    end loop;
    for i in 1..n loop
        s[i] := (y[greatest(i - 1, 1)] + y[i] + y[least(i + 1, n)]
                 - case when i = 1 then y[1] when i = n then y[n] else 0 end)
                / case when i = 1 or i = n then 2 else 3 end;
    end loop;
    for i in 2..n loop
        if s[i] < s[low] then low := i; end if;
    end loop;
    if low > 1 and low < n and s[1] - s[low] >= p_delta then
        peak := low + 1;
        for i in (low + 1)..n loop
            if s[i] > s[peak] then peak := i; end if;
        end loop;
        if s[peak] - s[low] >= p_delta then
            collapse_end_tokens := p_tokens[low];
        else
            low := 1;
        end if;
    else
        low := 1;
    end if;
    if collapse_end_tokens is null then
        peak := 1;
        for i in 2..n loop
            if s[i] > s[peak] then peak := i; end if;
        end loop;
    end if;
    entropy_peak_tokens := p_tokens[peak];
    for i in reverse n..(peak + 1) loop
        exit when s[i] > s[peak] - p_delta;
        onset := i;
    end loop;
    compression_onset_tokens := p_tokens[onset];
end;
$$;

-- Per run, model, hidden state and pooling: the phase boundaries of the RankMe trajectory.
create materialized view spectra.phase_boundaries as
with trajectories as (
    select run_id, run_name, variant, model, lineage, layer, relative_depth, pooling,
           array_agg(tokens_seen order by tokens_seen) as tokens,
           array_agg(value order by tokens_seen) as rankme,
           count(*) as checkpoints
      from spectra.family_curves
     where source = 'representation' and metric = 'rankme'
     group by run_id, run_name, variant, model, lineage, layer, relative_depth, pooling
)
select t.run_id, t.run_name, t.variant, t.model, t.lineage, t.layer, t.relative_depth, t.pooling, t.checkpoints,
       p.collapse_end_tokens, p.entropy_peak_tokens, p.compression_onset_tokens,
       t.rankme[1] as initial_rankme,
       t.rankme[array_position(t.tokens, p.entropy_peak_tokens)] as peak_rankme,
       t.rankme[cardinality(t.rankme)] as final_rankme
  from trajectories t
  cross join lateral spectra.detect_phases(t.tokens, t.rankme) p;

create unique index phase_boundaries_key on spectra.phase_boundaries (run_id, model, layer, pooling);

-- OLMo against Pythia: each curve interpolated linearly in log10(tokens) onto a shared
-- grid (10^3 … 10^14 tokens, four points per decade, only inside the curve's own range:
-- no extrapolation), averaged over the layers in each quarter of relative depth, then
-- every Pythia model paired with every OLMo model at the same grid point.
create materialized view spectra.family_comparison as
with points as (
    select run_id, model, lineage, round(relative_depth * 4) / 4 as depth_bin, source, pooling, metric,
           tokens_seen, avg(value) as value
      from spectra.family_curves
     where tokens_seen > 0 and lineage in ('pythia', 'olmo') and value = value
     group by run_id, model, lineage, round(relative_depth * 4) / 4, source, pooling, metric, tokens_seen
), curves as (
    select run_id, model, lineage, depth_bin, source, pooling, metric,
           min(tokens_seen) as first_tokens, max(tokens_seen) as last_tokens
      from points group by run_id, model, lineage, depth_bin, source, pooling, metric
), grid as (
    select power(10::double precision, g / 4.0) as tokens from generate_series(12, 56) g
), interpolated as (
    select c.run_id, c.model, c.lineage, c.depth_bin, c.source, c.pooling, c.metric, g.tokens,
           case when nx.tokens_seen = pv.tokens_seen then pv.value
                else pv.value + (nx.value - pv.value) * (log(g.tokens) - log(pv.tokens_seen::double precision))
                                / (log(nx.tokens_seen::double precision) - log(pv.tokens_seen::double precision)) end as value
      from curves c
      join grid g on g.tokens between c.first_tokens and c.last_tokens
      cross join lateral (select p.tokens_seen, p.value from points p
                           where (p.run_id, p.model, p.depth_bin, p.source, p.pooling, p.metric)
                               = (c.run_id, c.model, c.depth_bin, c.source, c.pooling, c.metric)
                             and p.tokens_seen <= g.tokens order by p.tokens_seen desc limit 1) pv
      cross join lateral (select p.tokens_seen, p.value from points p
                           where (p.run_id, p.model, p.depth_bin, p.source, p.pooling, p.metric)
                               = (c.run_id, c.model, c.depth_bin, c.source, c.pooling, c.metric)
                             and p.tokens_seen >= g.tokens order by p.tokens_seen asc limit 1) nx
)
select o.metric, o.source, o.pooling, o.depth_bin, o.tokens,
       p.run_id as pythia_run_id, p.model as pythia_model, p.value as pythia_value,
       o.run_id as olmo_run_id, o.model as olmo_model, o.value as olmo_value,
       o.value - p.value as olmo_minus_pythia
  from interpolated o
  join interpolated p on (p.metric, p.source, p.pooling, p.depth_bin, p.tokens) = (o.metric, o.source, o.pooling, o.depth_bin, o.tokens)
 where o.lineage = 'olmo' and p.lineage = 'pythia';

create unique index family_comparison_key
    on spectra.family_comparison (metric, source, pooling, depth_bin, tokens, pythia_run_id, pythia_model, olmo_run_id, olmo_model);

-- Post-training: each labelled run's final checkpoint against the run labelled 'base' of
-- the same lineage, per metric and quarter of relative depth (SFT/DPO expand, RLVR
-- compresses, in the paper's reading).
create materialized view spectra.variant_comparison as
with finals as (
    select f.run_id, f.variant, f.model, f.lineage, round(f.relative_depth * 4) / 4 as depth_bin,
           f.source, f.pooling, f.metric, avg(f.value) as value
      from spectra.family_curves f
     where f.variant is not null
       and f.tokens_seen = (select max(g.tokens_seen) from spectra.family_curves g
                             where g.run_id = f.run_id and g.model = f.model)
     group by f.run_id, f.variant, f.model, f.lineage, round(f.relative_depth * 4) / 4, f.source, f.pooling, f.metric
)
select v.lineage, v.variant, v.run_id, v.model, v.depth_bin, v.source, v.pooling, v.metric, v.value,
       b.run_id as base_run_id, b.model as base_model, b.value as base_value,
       v.value - b.value as delta,
       case when b.value <> 0 then (v.value - b.value) / abs(b.value) end as relative_change
  from finals v
  join finals b on b.variant = 'base' and (b.lineage, b.depth_bin, b.source, b.pooling, b.metric)
                                        = (v.lineage, v.depth_bin, v.source, v.pooling, v.metric)
 where v.variant <> 'base';

create unique index variant_comparison_key
    on spectra.variant_comparison (run_id, model, depth_bin, source, pooling, metric, base_run_id, base_model);

grant select on spectra.family_curves, spectra.phase_boundaries, spectra.family_comparison,
                spectra.variant_comparison to spectra_reader;
