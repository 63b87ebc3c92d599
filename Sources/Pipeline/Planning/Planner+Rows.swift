import Jobs
import Foundation
import Postgres

extension Planner {
    func upsertRun(name: String, family: String, config: Data, on db: Connection) throws -> Int64 {
        let json = String(decoding: config, as: UTF8.self)
        _ = try db.execute(SQLQuery(
            """
            insert into spectra.runs (name, family, config) values (\(name), \(family), \(JSON(raw: json)))
            on conflict (name) do nothing
            """, name: "insert_run"))
        guard let row = try db.query(SQLQuery(
            "select id, config = \(JSON(raw: json)) as same from spectra.runs where name = \(name)", name: "find_run")).first
        else { throw PipelineError(.notFound, "run \(name) vanished while planning") }
        guard try row.decode("same", as: Bool.self) else {
            throw PipelineError(.invalidArgument,
                "run \(name) already exists with a different configuration (models, revisions, layers or probe); plan it under another --name")
        }
        return try row.decode("id", as: Int64.self)
    }

    func upsertModel(_ model: PlannedModel, on db: Connection) throws -> Int64 {
        let rows = try db.query(SQLQuery(
            """
            insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
            values (\(model.name), \(model.family), \(model.architecture), \(model.layerCount), \(model.hiddenSize), \(model.source))
            on conflict (name) do update set source = excluded.source
            returning id, architecture, num_layers
            """, name: "upsert_model"))
        guard let row = rows.first else { throw PipelineError(.notFound, "model \(model.name) was not written") }
        let architecture = try row.decode("architecture", as: String.self)
        let layers = try row.decode("num_layers", as: Int.self)
        guard architecture == model.architecture, layers == model.layerCount else {
            throw PipelineError(.invalidArgument,
                "model \(model.name) is already registered as \(architecture) with \(layers) layers, but \(model.source) holds \(model.architecture) with \(model.layerCount) layers")
        }
        return try row.decode("id", as: Int64.self)
    }

    func upsertCheckpoint(_ revision: PlannedModel.Revision, modelID: Int64, on db: Connection) throws -> Int64 {
        if revision.keepsRecordedProgress { return try insertStageCheckpoint(revision, modelID: modelID, on: db) }
        let rows = try db.query(SQLQuery(
            """
            insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
            values (\(modelID), \(revision.name), \(revision.step), \(revision.tokens), \(revision.location))
            on conflict (model_id, revision) do update
               set step = excluded.step, tokens_seen = excluded.tokens_seen, location = excluded.location
            returning id
            """, name: "upsert_checkpoint"))
        guard let id = try rows.first?.decode("id", as: Int64.self) else {
            throw PipelineError(.notFound, "checkpoint \(revision.name) was not written")
        }
        return id
    }
}

extension Planner {
    /// A post-training stage's checkpoint: a row that exists (a pretraining run's last
    /// revision as a lineage's base) keeps its step, tokens and location.
    func insertStageCheckpoint(_ revision: PlannedModel.Revision, modelID: Int64, on db: Connection) throws -> Int64 {
        let rows = try db.query(SQLQuery(
            """
            with added as (
                insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                values (\(modelID), \(revision.name), \(revision.step), \(revision.tokens), \(revision.location))
                on conflict (model_id, revision) do nothing
                returning id
            )
            select id from added
            union all
            select id from spectra.checkpoints where model_id = \(modelID) and revision = \(revision.name)
            """, name: "insert_stage_checkpoint"))
        guard let id = try rows.first?.decode("id", as: Int64.self) else {
            throw PipelineError(.notFound, "checkpoint \(revision.name) was not written")
        }
        return id
    }

    /// Records a checkpoint's stage in a lineage for this run; a stage planned again is kept.
    func insertStage(_ stage: LineageStage, checkpoint: Int64, run: Int64, on db: Connection) throws {
        _ = try db.execute(SQLQuery(
            """
            insert into spectra.lineage_stages (run_id, checkpoint_id, lineage, position, label)
            values (\(run), \(checkpoint), \(stage.lineage), \(stage.position), \(stage.label))
            on conflict do nothing
            """, name: "insert_lineage_stage"))
    }
}

/// Inserts a run's jobs set-wise, skipping those that exist.
struct JobInserter {
    let db: Connection
    let run: Int64

    /// The checkpoint's weights jobs, at the extract job's priority: claims go by priority,
    /// then id, and the two are inserted one after the other, so every job that reads a
    /// checkpoint is claimed close together and a worker fetching revisions on demand
    /// downloads each about once per node.
    func weights(checkpoint: Int64, layers: [Int], args: String) throws -> Int {
        guard !layers.isEmpty else { return 0 }
        return try db.execute(SQLQuery(
            """
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, args, priority)
            select \(run), \(JobKind.weights.rawValue), \(checkpoint), l, \(JSON(raw: args)), 1 from unnest(\(layers.map(Int64.init))::bigint[]) as t(l)
            on conflict do nothing
            """, name: "insert_weights_jobs"))
    }

    /// The checkpoint's extract job and its spectrum jobs, each blocked on the extract
    /// until it completes (or already free when a replan finds the extract done).
    func representation(checkpoint: Int64, layers: [Int], poolings: [String], args: String) throws -> Int {
        var created = try db.execute(SQLQuery(
            """
            insert into spectra.jobs (run_id, kind, checkpoint_id, args, priority)
            values (\(run), \(JobKind.extract.rawValue), \(checkpoint), \(JSON(raw: args)), 1)
            on conflict do nothing
            """, name: "insert_extract_job"))
        let pairs = poolings.flatMap { pooling in layers.map { (pooling, Int64($0)) } }
        let rows = try db.query(SQLQuery(
            """
            with extract as (
                select id, state from spectra.jobs
                 where run_id = \(run) and kind = \(JobKind.extract.rawValue) and checkpoint_id = \(checkpoint)
            ), created as (
                insert into spectra.jobs (run_id, kind, checkpoint_id, layer, pooling, args, pending_dependencies)
                select \(run), \(JobKind.spectrum.rawValue), \(checkpoint), t.l, t.p, \(JSON(raw: args)),
                       case when e.state = 'completed' then 0 else 1 end
                  from unnest(\(pairs.map(\.1))::bigint[], \(pairs.map(\.0))::text[]) as t(l, p), extract e
                on conflict do nothing
                returning id
            ), edges as (
                insert into spectra.job_dependencies (job_id, depends_on)
                select c.id, e.id from created c, extract e
                returning job_id
            )
            select count(*)::int as n, (select id from extract) as extract_id,
                   (select state::text from extract) as extract_state
              from edges
            """, name: "insert_spectrum_jobs"))
        guard let row = rows.first else { return created }
        created += try row.decode("n", as: Int.self)
        // An extract that already failed takes its new dependents down with it, by name.
        if let state = try row.decode("extract_state", as: String?.self), ["failed", "discarded"].contains(state),
           let id = try row.decode("extract_id", as: Int64?.self) {
            _ = try db.query(SQLQuery("select spectra.fail_dependents(array[\(id)]::bigint[])", name: "fail_new_dependents"))
        }
        return created
    }
}
