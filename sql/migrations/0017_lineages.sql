-- Post-training lineages: a base model and its descendants (SFT, DPO, RLVR …) planned as
-- one run, each stage one checkpoint with its label and its position in the chain.
-- spectra.variant_comparison keeps its name but now compares the stages of each lineage
-- in order, instead of each --variant run's final checkpoint against a base run: a label
-- without a position could not be put in stage order, and stages planned in one run share
-- the probe, sample count and pooling, so their differences are the models'.

create table spectra.lineage_stages (
    run_id        bigint not null references spectra.runs (id),
    checkpoint_id bigint not null references spectra.checkpoints (id),
    lineage       text   not null,
    -- 0 for the base, then 1, 2, … in training order.
    position      int    not null check (position >= 0),
    label         text   not null check (label <> ''),
    primary key (run_id, lineage, position),
    unique (run_id, lineage, label)
);

-- Built from spectra.results directly (not from family_curves), so that a rewrite of the
-- pretraining views leaves this one alone.
drop materialized view if exists spectra.variant_comparison;

-- One row per run × lineage × stage × depth bin (quarters of relative depth) × source ×
-- pooling × metric, in stage order: the value (representation: the mean over the bin's
-- hidden states, index / L; weights: the mean over the bin's blocks, (block + 1) / L, of
-- each block's mean over its matrices), the change from the previous stage present and
-- from the first stage present (the base, unless its results are missing: base_stage
-- says which).
create materialized view spectra.variant_comparison as
with per_layer as (
    select s.run_id, s.lineage, s.position, s.label, m.name as model, c.revision, m.num_layers, r.layer,
           r.source, r.pooling, kv.key as metric, avg((kv.value #>> '{}')::double precision) as value
      from spectra.lineage_stages s
      join spectra.results r on r.run_id = s.run_id and r.checkpoint_id = s.checkpoint_id
      join spectra.checkpoints c on c.id = s.checkpoint_id
      join spectra.models m on m.id = c.model_id
      cross join lateral jsonb_each(r.metrics) kv
     where jsonb_typeof(kv.value) = 'number'
     group by s.run_id, s.lineage, s.position, s.label, m.name, c.revision, m.num_layers, r.layer, r.source, r.pooling, kv.key
), binned as (
    select run_id, lineage, position, label as stage, model, revision,
           round((case when source = 'weights' then layer + 1 else layer end)::numeric / num_layers * 4) / 4 as depth_bin,
           source, pooling, metric, avg(value) as value
      from per_layer
     group by run_id, lineage, position, label, model, revision,
              round((case when source = 'weights' then layer + 1 else layer end)::numeric / num_layers * 4) / 4,
              source, pooling, metric
)
select lineage, run_id, position, stage, model, revision, depth_bin::double precision as depth_bin, source, pooling, metric, value,
       lag(stage) over chain as previous_stage,
       lag(value) over chain as previous_value,
       value - lag(value) over chain as delta_previous,
       first_value(stage) over chain as base_stage,
       first_value(value) over chain as base_value,
       value - first_value(value) over chain as delta,
       case when first_value(value) over chain <> 0
            then (value - first_value(value) over chain) / abs(first_value(value) over chain) end as relative_change
  from binned
window chain as (partition by run_id, lineage, depth_bin, source, pooling, metric order by position);

create unique index variant_comparison_key
    on spectra.variant_comparison (run_id, lineage, position, depth_bin, source, pooling, metric);

grant select on spectra.variant_comparison, spectra.lineage_stages to spectra_reader;
