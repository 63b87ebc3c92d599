import Jobs
import Models
import Foundation

/// What `spectra plan` was asked to plan.
public struct PlanRequest: Sendable {
    /// Model family: `pythia`, `olmo`, `olmo2` (built-in catalogs, checkpoints from the hub
    /// cache), or `local` (each model a directory of revisions with a `catalog.json`).
    public var family: String
    /// Model names (built-in families) or series directories (`local`).
    public var models: [String]
    /// Revision selection (`--steps`); nil takes every revision.
    public var steps: String?
    public var layers: LayerSelection
    /// A name for the run; by default one derived from the configuration, so planning the
    /// same thing twice finds the same run.
    public var runName: String?
    /// The representation part; nil plans weight spectra only.
    public var probe: ProbeOptions?
    /// A post-training lineage: a built-in name (`spectra lineages`) or a lineage file
    /// (`.json`); each stage is planned as a model with one revision, its label and
    /// position stored in spectra.lineage_stages.
    public var lineage: String?
    /// `--family hub`: tokens per optimizer step, for branch names that carry no token count.
    public var tokensPerStep: Int?
    /// Where `--family hub` finds the endpoint, token and cache (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE).
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init(family: String, models: [String], steps: String? = nil, layers: LayerSelection = .all,
                runName: String? = nil, probe: ProbeOptions? = nil, lineage: String? = nil) {
        self.family = family
        self.models = models
        self.steps = steps
        self.layers = layers
        self.runName = runName
        self.probe = probe
        self.lineage = lineage
    }
}

/// `--probe FILE --samples N --max-tokens T --pooling …`: what extract jobs feed the models.
public struct ProbeOptions: Sendable {
    public var path: String
    public var samples: Int
    public var maxTokens: Int
    public var poolings: [Pooling]
    public var seed: UInt64
    /// Sequences per forward-pass batch.
    public var batch: Int
    /// The artifact store's root as workers should find it (absolute, on shared storage).
    public var artifacts: String

    public init(path: String, samples: Int = 1000, maxTokens: Int = 128, poolings: [Pooling] = [.last],
                seed: UInt64 = 0, batch: Int = 16, artifacts: String) {
        self.path = path
        self.samples = samples
        self.maxTokens = maxTokens
        self.poolings = Array(Set(poolings)).sorted { $0.rawValue < $1.rawValue }
        self.seed = seed
        self.batch = batch
        self.artifacts = artifacts
    }

    /// Range-checks the numeric options; the planner's size estimate multiplies them.
    static func check(_ probe: ProbeOptions) throws(PipelineError) {
        try OptionLimits.check(probe.samples, in: OptionLimits.samples, option: "--samples")
        // Ten tokens is the shortest sequence an extract job keeps.
        try OptionLimits.check(probe.maxTokens, in: 10...OptionLimits.maxTokens.upperBound, option: "--max-tokens")
        try OptionLimits.check(probe.batch, in: OptionLimits.forwardBatch, option: "--batch")
    }
}

/// What planning wrote (or, for a dry run, would write).
public struct PlanSummary: Sendable, Equatable {
    public var runID: Int64
    public var runName: String
    public var models: [String]
    public var checkpoints: Int
    /// Jobs inserted by this call; the rest of the run's jobs existed already.
    public var jobsCreated: Int
    public var jobsTotal: Int
    /// Jobs of the whole run by kind.
    public var jobsByKind: [String: Int]
    /// Bytes of pooled activations the extract jobs will leave in the artifact store.
    public var artifactBytes: Int64
    /// Bytes the result rows will take in PostgreSQL (eigenvalues and metrics, roughly).
    public var resultBytes: Int64
    /// Lines a dry run adds (gated stages).
    public var notes: [String] = []

    /// The dry-run report: counts per kind and storage estimates.
    public func render(dryRun: Bool) -> String {
        var lines = [dryRun
            ? "dry run: run \(runName) would have \(checkpoints) checkpoints of \(models.count) model(s)"
            : "run \(runName) (#\(runID)): \(checkpoints) checkpoints, \(jobsTotal) jobs, \(jobsCreated) new"]
        for kind in jobsByKind.keys.sorted() {
            lines.append("  \(kind.padding(toLength: 9, withPad: " ", startingAt: 0)) \(jobsByKind[kind] ?? 0) jobs")
        }
        lines.append("  artifacts ~\(Self.bytes(artifactBytes)) (pooled activations, float32)")
        lines.append("  results   ~\(Self.bytes(resultBytes)) in PostgreSQL")
        lines += notes
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
