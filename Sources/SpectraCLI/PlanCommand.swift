import ArgumentParser
import Foundation
import Pipeline
import Jobs

/// `spectra plan`: write a run and its jobs.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan a run: its checkpoints, an extract job per checkpoint, spectrum jobs per hidden state and pooling, weights jobs per block (idempotent).")

    @Option(help: "Model family: pythia, olmo, olmo2 (built-in catalogs, checkpoints from the hub cache), hub (any Hub repository: its branches, or ORG/NAME@REVISION for one checkpoint) or local (series directories).")
    var family: String = "local"

    @Option(name: .customLong("model"), help: "A model (pythia-160m, OLMo-1B-hf …; for hub, ORG/NAME or ORG/NAME@REVISION; for local, a series directory). Repeatable.")
    var models: [String] = []

    @Option(help: "Revisions: all, a list (0,1000,143000 or names), every:N, log:K, tokens:1B..100B.")
    var steps: String?

    @Option(help: "Layers: all, or indices and ranges such as 0,2,4-7 (hidden-state indices for spectra, blocks for weights).")
    var layers: String = "all"

    @Option(help: "Probe text (one document per line) or JSONL with a text field; without it only weight spectra are planned.")
    var probe: String?

    @Option(help: "Probe sequences per checkpoint.")
    var samples: Int = 1000

    @Option(help: "Tokens per probe sequence at most (longer ones are cut).")
    var maxTokens: Int = 128

    @Option(parsing: .upToNextOption, help: "Pooling of token states into one row per sequence: last, mean, or both.")
    var pooling: [Pooling] = [.last]

    @Option(help: "Seed of the probe selection.")
    var seed: UInt64 = 0

    @Option(help: "Sequences per forward-pass batch.")
    var batch: Int = 16

    @Option(help: "Artifact store root that workers will use (shared storage on a cluster; default SPECTRA_ARTIFACTS, else .spectra/artifacts).")
    var artifacts: String?

    @Option(help: "A post-training lineage to plan, every stage: a built-in name (spectra lineages) or a lineage file (.json).")
    var lineage: String?

    @Option(help: "--family hub: tokens per optimizer step, for branch names that carry no token count (ckpt_042, step1000).")
    var tokensPerStep: Int?

    @Option(help: "Run name (default: derived from the configuration, so replanning finds the same run).")
    var name: String?

    @Flag(help: "Print job counts and storage estimates without touching the database.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !models.isEmpty || lineage != nil else { throw ValidationError("--model: name at least one model (or a --lineage)") }
        _ = try LayerSelection(parsing: layers)
        try checkRange(samples, OptionLimits.samples, "--samples")
        try checkRange(maxTokens, 10...OptionLimits.maxTokens.upperBound, "--max-tokens")
        try checkRange(batch, OptionLimits.forwardBatch, "--batch")
        if let tokensPerStep, !(1...(1 << 40)).contains(tokensPerStep) {
            throw ValidationError("--tokens-per-step must be between 1 and 2^40, got \(tokensPerStep)")
        }
    }

    func run() throws {
        let logger = common.logger("spectra.plan")
        let store = ArtifactStore.resolve(explicit: artifacts)
        var request = PlanRequest(
            family: family, models: models, steps: steps, layers: try LayerSelection(parsing: layers), runName: name,
            probe: probe.map {
                ProbeOptions(path: $0, samples: samples, maxTokens: maxTokens, poolings: pooling,
                             seed: seed, batch: batch, artifacts: store.root.path)
            },
            lineage: lineage)
        request.tokensPerStep = tokensPerStep
        let planner = Planner(logger: logger)
        if dryRun {
            print(try planner.dryRun(request).render(dryRun: true))
            return
        }
        let url = try common.database(logger).migratedURL()
        print(try planner.plan(request, url: url).render(dryRun: false))
    }
}
