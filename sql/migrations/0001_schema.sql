-- The first schema: runs, models, checkpoints, jobs and results.
-- Migrations are immutable once landed; a change is a new numbered file.

create table spectra.models (
    id           bigserial primary key,
    name         text not null unique,
    family       text not null,
    architecture text not null,
    num_layers   int  not null check (num_layers > 0),
    hidden_size  int  not null check (hidden_size > 0),
    source       text not null
);

create table spectra.checkpoints (
    id          bigserial primary key,
    model_id    bigint not null references spectra.models (id),
    revision    text   not null,
    step        bigint not null check (step >= 0),
    tokens_seen bigint not null check (tokens_seen >= 0),
    location    text   not null,
    unique (model_id, revision)
);

create table spectra.runs (
    id         bigserial primary key,
    name       text  not null unique,
    family     text  not null,
    -- Everything needed to say how each number was made: inputs, conventions, version.
    config     jsonb not null,
    created_at timestamptz not null default now()
);

create type spectra.job_state as enum ('available', 'running', 'completed', 'failed', 'discarded');

-- One row per job. 'failed' is terminal: the input itself is bad and retrying cannot
-- help (fix the input, then retry the job by hand). Transient errors go back to
-- 'available' with a backoff, and to 'discarded' after max_attempts.
create table spectra.jobs (
    id               bigserial primary key,
    run_id           bigint not null references spectra.runs (id),
    kind             text   not null check (kind in ('extract', 'spectrum', 'weights')),
    checkpoint_id    bigint not null references spectra.checkpoints (id),
    layer            int,
    pooling          text,
    args             jsonb  not null default '{}',
    state            spectra.job_state not null default 'available',
    priority         int    not null default 0,
    attempt          int    not null default 0,
    max_attempts     int    not null default 5 check (max_attempts > 0),
    lease_token      uuid,
    leased_by        text,
    lease_expires_at timestamptz,
    run_after        timestamptz not null default now(),
    progress         jsonb,
    last_error       text,
    created_at       timestamptz not null default now(),
    completed_at     timestamptz,
    unique nulls not distinct (run_id, kind, checkpoint_id, layer, pooling)
);

-- The fetch path reads only claimable rows; lease columns stay unindexed so that
-- heartbeats are HOT updates.
create index jobs_fetch on spectra.jobs (priority desc, run_after, id) where state = 'available';
create index jobs_run_state on spectra.jobs (run_id, state);

create table spectra.results (
    id              bigserial primary key,
    run_id          bigint not null references spectra.runs (id),
    checkpoint_id   bigint not null references spectra.checkpoints (id),
    layer           int    not null,
    source          text   not null check (source in ('weights', 'representation')),
    pooling         text   not null default '',
    matrix          text   not null default '',
    rows            int    not null,
    columns         int    not null,
    eigenvalues     real[] not null,
    metrics         jsonb  not null,
    method          text   not null,
    error_estimate  double precision,
    sample_count    int,
    elapsed_seconds double precision not null,
    worker          text   not null,
    job_id          bigint references spectra.jobs (id),
    created_at      timestamptz not null default now(),
    unique (run_id, checkpoint_id, layer, source, pooling, matrix)
);
