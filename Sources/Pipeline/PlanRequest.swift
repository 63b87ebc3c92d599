import Foundation

/// What `spectra plan` was asked to plan.
public struct PlanRequest: Sendable {
    /// Model family; `local` is a directory of revisions with a `catalog.json`.
    public var family: String
    /// For `local`: one series directory per model.
    public var models: [String]
    public var layers: LayerSelection
    /// A name for the run; by default one derived from the configuration, so planning the
    /// same thing twice finds the same run.
    public var runName: String?

    public init(family: String, models: [String], layers: LayerSelection = .all, runName: String? = nil) {
        self.family = family
        self.models = models
        self.layers = layers
        self.runName = runName
    }
}

/// What planning wrote.
public struct PlanSummary: Sendable, Equatable {
    public var runID: Int64
    public var runName: String
    public var models: [String]
    public var checkpoints: Int
    /// Jobs inserted by this call; the rest of the run's jobs existed already.
    public var jobsCreated: Int
    public var jobsTotal: Int
}

/// The configuration stored with a run: everything needed to say how its numbers were made.
struct RunConfiguration: Codable, Equatable {
    struct Model: Codable, Equatable {
        var name: String
        var source: String
        var architecture: String
        var revisions: [String]
    }

    var family: String
    var models: [Model]
    var layers: String
    var kinds: [String]
    var conventions: [String: String]
    var toolVersion: String

    enum CodingKeys: String, CodingKey {
        case family, models, layers, kinds, conventions
        case toolVersion = "tool_version"
    }

    static let weightConventions = [
        "weights_esd": "eigenvalues of W^T W in float64, Gram on the smaller side, not rescaled (WeightWatcher's CPU default)",
        "stable_rank": "sum of ESD / largest ESD value",
        "powerlaw": "WeightWatcher fit: every ESD value above 1e-5 but the largest tried as xmin, smallest KS distance wins",
        "farms": "the same fit on the averaged ESD of square submatrices (Hu et al. 2025)",
        "log_norm": "log10 of the ESD sum",
    ]

    /// Canonical JSON (sorted keys), so equal configurations hash equally.
    func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
