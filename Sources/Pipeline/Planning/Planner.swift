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
            var summary = try estimate(models, request: request, runID: runID, runName: runName)
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
        var summary = try estimate(models, request: request, runID: 0, runName: name)
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
            try ProbeOptions.check(probe)
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

    /// Job counts and storage bytes. Every product is overflow-checked: the sizes come
    /// from config files and flags, and an impossible one is an error naming the model.
    func estimate(_ models: [PlannedModel], request: PlanRequest, runID: Int64, runName: String) throws -> PlanSummary {
        var byKind: [String: Int] = [:]
        var artifactBytes: Int64 = 0, resultBytes: Int64 = 0, checkpoints = 0
        for model in models {
            func checked(_ value: Int64?, _ what: String) throws -> Int64 {
                guard let value else {
                    throw PipelineError(.badInput,
                        "model \(model.name): the \(what) overflows (\(model.revisions.count) checkpoints, \(model.layerCount) layers, "
                        + "hidden_size \(model.hiddenSize), --samples \(request.probe?.samples ?? 0))")
                }
                return value
            }
            let n = Int64(model.revisions.count)
            checkpoints += model.revisions.count
            let blocks = Int64((try? self.blocks(request.layers, model: model).count) ?? 0)
            // One result per weight matrix of a block: GPT-NeoX four, the q/k/v families seven.
            let weightMatrices = Int64(Architecture(rawValue: model.architecture)?.weightMatrices(layer: 0).count ?? 7)
            let hidden = Int64(model.hiddenSize)
            let weightJobs = try checked(CheckedSize.product(n, blocks), "weights job count")
            let weightRow = try checked(CheckedSize.product(hidden, 4).flatMap { CheckedSize.sum($0, 1024) }, "weights result size")
            let weightBytes = try checked(CheckedSize.product(weightJobs, weightMatrices, weightRow), "weights result size")
            byKind[JobKind.weights.rawValue, default: 0] += Int(weightJobs)
            resultBytes = try checked(CheckedSize.sum(resultBytes, weightBytes), "result size")
            if let probe = request.probe {
                let states = Int64((try? hiddenStates(request.layers, model: model).count) ?? 0)
                let matrices = try checked(CheckedSize.product(n, states, Int64(probe.poolings.count)), "spectrum job count")
                byKind[JobKind.extract.rawValue, default: 0] += Int(n)
                byKind[JobKind.spectrum.rawValue, default: 0] += Int(matrices)
                let artifact = try checked(CheckedSize.product(Int64(probe.samples), hidden, 4).flatMap { CheckedSize.sum($0, 128) },
                                           "activation artifact size")
                artifactBytes = try checked(CheckedSize.product(matrices, artifact).flatMap { CheckedSize.sum(artifactBytes, $0) },
                                            "artifact size")
                let eigenvalues = Int64(min(probe.samples, model.hiddenSize, 2048)) * 4 + 1024
                resultBytes = try checked(CheckedSize.product(matrices, eigenvalues).flatMap { CheckedSize.sum(resultBytes, $0) },
                                          "result size")
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
