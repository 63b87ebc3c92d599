import Jobs
import SpectraBase
import Checkpoints
import Foundation
import Logging
import Postgres

/// Writes a run, its models and checkpoints, and its jobs: per checkpoint one `extract`,
/// one `spectrum` per hidden state × pooling depending on it, and one `weights` per block.
/// Idempotent: everything is an upsert or an insert that skips what exists, so planning
/// the same run again adds nothing and planning after a partial failure adds only what
/// is missing.
public struct Planner: Sendable {
    let logger: Logger

    public init(logger: Logger = Logger(label: "spectra.plan")) {
        self.logger = logger
    }

    public func plan(_ request: PlanRequest, url: String) throws -> PlanSummary {
        let (models, config, spec) = try prepare(request)
        try LineageSource.checkGated(models, environment: ProcessInfo.processInfo.environment)
        let runName = request.runName ?? Self.defaultRunName(models: models, config: config)
        let connection = try Connection(url: url)
        return try connection.withTransaction { db in
            let runID = try upsertRun(name: runName, family: models.allSatisfy { $0.stage != nil } ? "lineage" : request.family,
                                  config: config, on: db)
            var summary = estimate(models, request: request, runID: runID, runName: runName)
            let jobs = JobInserter(db: db, run: runID)
            summary.jobsCreated = 0
            for model in models {
                let modelID = try upsertModel(model, on: db)
                let blocks = try self.blocks(request.layers, model: model)
                for revision in model.revisions {
                    let checkpointID = try upsertCheckpoint(revision, modelID: modelID, on: db)
                    if let stage = model.stage { try insertStage(stage, checkpoint: checkpointID, run: runID, on: db) }
                    summary.jobsCreated += try jobs.weights(checkpoint: checkpointID, layers: blocks,
                                                            args: model.weightsArguments(revision))
                    if let probe = request.probe, let spec {
                        let states = try hiddenStates(request.layers, model: model)
                        summary.jobsCreated += try jobs.representation(
                            checkpoint: checkpointID, layers: states, poolings: probe.poolings.map(\.rawValue),
                            args: model.extractArguments(revision, layers: states, probe: probe, spec: spec))
                    }
                }
            }
            summary.jobsTotal = try db.query(SQLQuery("select count(*) as n from spectra.jobs where run_id = \(runID)"))
                .first?.decode("n", as: Int.self) ?? 0
            logger.info("planned run \(runName)", metadata: ["run": "\(runID)", "created": "\(summary.jobsCreated)", "total": "\(summary.jobsTotal)"])
            return summary
        }
    }

    /// What `plan` would write, without a database.
    public func dryRun(_ request: PlanRequest) throws -> PlanSummary {
        let (models, config, _) = try prepare(request)
        let name = request.runName ?? Self.defaultRunName(models: models, config: config)
        var summary = estimate(models, request: request, runID: 0, runName: name)
        summary.notes = LineageSource.gatedNotes(models)
        return summary
    }

    func prepare(_ request: PlanRequest) throws -> ([PlannedModel], Data, ProbeSpec?) {
        guard !request.models.isEmpty || request.lineage != nil else {
            throw PipelineError(.invalidArgument, "--model: name at least one model (or a --lineage)")
        }
        let models = try ModelSources.resolve(request)
        var spec: ProbeSpec?
        if let probe = request.probe {
            guard probe.samples >= 2 else { throw PipelineError(.invalidArgument, "--samples must be at least 2") }
            guard probe.maxTokens >= 10 else { throw PipelineError(.invalidArgument, "--max-tokens must be at least 10") }
            let set = try ProbeSet.load(path: probe.path)
            spec = ProbeSpec(path: URL(fileURLWithPath: probe.path).standardizedFileURL.path, sha256: set.sha256,
                             format: set.format, seed: probe.seed, samples: probe.samples, maxTokens: probe.maxTokens,
                             minTokens: 10)
        }
        let config = try RunConfiguration(request: request, models: models, probe: spec).canonicalJSON()
        return (models, config, spec)
    }

    /// Transformer blocks for weights jobs: the selected indices below L (index L names
    /// the final hidden state, which has no block of its own).
    func blocks(_ layers: LayerSelection, model: PlannedModel) throws -> [Int] {
        try layers.resolve(count: model.layerCount + 1, model: model.name).filter { $0 < model.layerCount }
    }

    /// Hidden-state indices for spectrum jobs: 0 = embeddings … L = after the final norm.
    func hiddenStates(_ layers: LayerSelection, model: PlannedModel) throws -> [Int] {
        try layers.resolve(count: model.layerCount + 1, model: model.name)
    }

    func estimate(_ models: [PlannedModel], request: PlanRequest, runID: Int64, runName: String) -> PlanSummary {
        var byKind: [String: Int] = [:]
        var artifactBytes: Int64 = 0, resultBytes: Int64 = 0, checkpoints = 0
        for model in models {
            let n = Int64(model.revisions.count)
            checkpoints += model.revisions.count
            let blocks = (try? self.blocks(request.layers, model: model).count) ?? 0
            // Weight matrices per block (qkv, out, mlp in/out; OLMo has six): ~5 results each.
            byKind[JobKind.weights.rawValue, default: 0] += Int(n) * blocks
            resultBytes += n * Int64(blocks) * 5 * (Int64(model.hiddenSize) * 4 + 1024)
            if let probe = request.probe {
                let states = (try? hiddenStates(request.layers, model: model).count) ?? 0
                let matrices = Int64(states * probe.poolings.count)
                byKind[JobKind.extract.rawValue, default: 0] += Int(n)
                byKind[JobKind.spectrum.rawValue, default: 0] += Int(n * matrices)
                artifactBytes += n * matrices * (Int64(probe.samples) * Int64(model.hiddenSize) * 4 + 128)
                resultBytes += n * matrices * (Int64(min(probe.samples, model.hiddenSize, 2048)) * 4 + 1024)
            }
        }
        return PlanSummary(runID: runID, runName: runName, models: models.map(\.name), checkpoints: checkpoints,
                           jobsCreated: byKind.values.reduce(0, +), jobsTotal: byKind.values.reduce(0, +),
                           jobsByKind: byKind, artifactBytes: artifactBytes, resultBytes: resultBytes)
    }

    /// `<models>-<first 8 hex digits of the configuration's SHA-256>`; the stages of a
    /// lineage are named by the lineage (`lineage-olmo2-1124-7b-…`).
    static func defaultRunName(models: [PlannedModel], config: Data) -> String {
        var hash = SHA256()
        hash.update(Array(config))
        let digest = hash.finalize().prefix(4).map { String(format: "%02x", $0) }.joined()
        let lineages = Array(Set(models.compactMap { $0.stage?.lineage })).sorted().map { "lineage-\($0)" }
        let plain = Array(Set(models.filter { $0.stage == nil }.map(\.name))).sorted()
        return (plain + lineages).joined(separator: "+") + "-" + digest
    }
}
