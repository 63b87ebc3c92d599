-- One model, checkpoint and run for the no-op jobs, and the peer's plain table.
insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
    values ('bench', 'local', 'GPTNeoXForCausalLM', 1, 8, '/nowhere');
insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location) values (1, 'step0', 0, 0, '/nowhere');
insert into spectra.runs (name, family, config) values ('bench', 'local', '{}');
create table plain_jobs (
    id        bigserial primary key,
    state     text not null default 'available',
    payload   jsonb not null default '{}',
    locked_at timestamptz
);
create index plain_jobs_fetch on plain_jobs (id) where state = 'available';
