import Checkpoints
import Foundation
import Logging
import Postgres

/// Writes a run, its models and checkpoints, and one job per unit of work. Idempotent:
/// everything is an upsert or an insert that skips what exists, so planning the same run
/// again adds nothing and planning after a partial failure adds only what is missing.
public struct Planner: Sendable {
    let logger: Logger

    public init(logger: Logger = Logger(label: "spectra.plan")) {
        self.logger = logger
    }

    public func plan(_ request: PlanRequest, url: String) throws -> PlanSummary {
        guard request.family == "local" else {
            throw PipelineError(.invalidArgument,
                "--family \(request.family): only 'local' series (a directory of revisions with catalog.json) can be planned in this version")
        }
        guard !request.models.isEmpty else {
            throw PipelineError(.invalidArgument, "--model: name at least one series directory")
        }
        let series = try request.models.map { try LocalSeries.open(directory: $0) }
        var config = RunConfiguration(
            family: request.family,
            models: series.map { .init(name: $0.name, source: $0.directory.path, architecture: $0.architecture,
                                       revisions: $0.revisions.map(\.name)) },
            layers: request.layers.description, kinds: ["weights"],
            conventions: RunConfiguration.weightConventions, toolVersion: SpectraVersion.current)
        config.models.sort { $0.name < $1.name }
        let configJSON = try config.canonicalJSON()
        let runName = request.runName ?? Self.defaultRunName(series: series, config: configJSON)

        let connection = try Connection(url: url)
        return try connection.withTransaction { db in
            let runID = try upsertRun(name: runName, family: request.family, config: configJSON, on: db)
            var checkpoints = 0, created = 0
            for model in series {
                let layers = try request.layers.resolve(count: model.layerCount, model: model.name)
                let modelID = try upsertModel(model, family: request.family, on: db)
                for revision in model.revisions {
                    let checkpointID = try upsertCheckpoint(revision, modelID: modelID, on: db)
                    checkpoints += 1
                    created += try insertWeightsJobs(run: runID, checkpoint: checkpointID, layers: layers,
                                                     args: model.jobArguments(for: revision), on: db)
                }
            }
            let total = try db.query(SQLQuery("select count(*) as n from spectra.jobs where run_id = \(runID)"))
                .first?.decode("n", as: Int.self) ?? 0
            logger.info("planned run \(runName)", metadata: ["run": "\(runID)", "created": "\(created)", "total": "\(total)"])
            return PlanSummary(runID: runID, runName: runName, models: series.map(\.name),
                               checkpoints: checkpoints, jobsCreated: created, jobsTotal: total)
        }
    }

    /// `<models>-<first 8 hex digits of the configuration's SHA-256>`.
    static func defaultRunName(series: [LocalSeries], config: Data) -> String {
        var hash = SHA256()
        hash.update(Array(config))
        let digest = hash.finalize().prefix(4).map { String(format: "%02x", $0) }.joined()
        return series.map(\.name).sorted().joined(separator: "+") + "-" + digest
    }

    func upsertRun(name: String, family: String, config: Data, on db: Connection) throws -> Int64 {
        let json = String(decoding: config, as: UTF8.self)
        _ = try db.execute(SQLQuery(
            "insert into spectra.runs (name, family, config) values (\(name), \(family), \(JSON(raw: json))) on conflict (name) do nothing",
            name: "insert_run"))
        guard let row = try db.query(SQLQuery(
            "select id, config = \(JSON(raw: json)) as same from spectra.runs where name = \(name)", name: "find_run")).first
        else { throw PipelineError(.notFound, "run \(name) vanished while planning") }
        guard try row.decode("same", as: Bool.self) else {
            throw PipelineError(.invalidArgument,
                "run \(name) already exists with a different configuration (models, revisions or layers); plan it under another --name")
        }
        return try row.decode("id", as: Int64.self)
    }

    func upsertModel(_ model: LocalSeries, family: String, on db: Connection) throws -> Int64 {
        let rows = try db.query(SQLQuery(
            """
            insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
            values (\(model.name), \(family), \(model.architecture), \(model.layerCount), \(model.hiddenSize), \(model.directory.path))
            on conflict (name) do update set source = excluded.source
            returning id, architecture, num_layers
            """, name: "upsert_model"))
        guard let row = rows.first else { throw PipelineError(.notFound, "model \(model.name) was not written") }
        let architecture = try row.decode("architecture", as: String.self)
        let layers = try row.decode("num_layers", as: Int.self)
        guard architecture == model.architecture, layers == model.layerCount else {
            throw PipelineError(.invalidArgument,
                "model \(model.name) is already registered as \(architecture) with \(layers) layers, but \(model.directory.path) holds \(model.architecture) with \(model.layerCount) layers")
        }
        return try row.decode("id", as: Int64.self)
    }

    func upsertCheckpoint(_ revision: LocalSeries.Revision, modelID: Int64, on db: Connection) throws -> Int64 {
        let rows = try db.query(SQLQuery(
            """
            insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
            values (\(modelID), \(revision.name), \(revision.step), \(revision.tokens), \(revision.directory.path))
            on conflict (model_id, revision) do update
               set step = excluded.step, tokens_seen = excluded.tokens_seen, location = excluded.location
            returning id
            """, name: "upsert_checkpoint"))
        guard let id = try rows.first?.decode("id", as: Int64.self) else {
            throw PipelineError(.notFound, "checkpoint \(revision.name) was not written")
        }
        return id
    }

    func insertWeightsJobs(run: Int64, checkpoint: Int64, layers: [Int], args: String, on db: Connection) throws -> Int {
        try db.execute(SQLQuery(
            """
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, args)
            select \(run), 'weights', \(checkpoint), l, \(JSON(raw: args)) from unnest(\(layers.map(Int64.init))::bigint[]) as t(l)
            on conflict do nothing
            """, name: "insert_weights_jobs"))
    }
}
