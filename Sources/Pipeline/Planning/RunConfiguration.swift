import Jobs
import SpectraBase
import Foundation

/// The configuration stored with a run: everything needed to say how its numbers were made.
struct RunConfiguration: Codable, Equatable {
    struct Model: Codable, Equatable {
        var name: String
        var source: String
        var architecture: String
        var revisions: [String]
    }

    struct Representation: Codable, Equatable {
        var probe: ProbeSpec
        var poolings: [String]
        var batch: Int
        var artifacts: String
    }

    /// A post-training stage of the run: its lineage, position, label and checkpoint.
    struct Stage: Codable, Equatable {
        var lineage: String
        var position: Int
        var label: String
        var model: String
        var revision: String
        var source: String
    }

    var family: String
    var stages: [Stage]?
    var models: [Model]
    var layers: String
    var kinds: [String]
    var representation: Representation?
    var conventions: [String: String]
    var toolVersion: String

    enum CodingKeys: String, CodingKey {
        case family, stages, models, layers, kinds, representation, conventions
        case toolVersion = "tool_version"
    }

    init(request: PlanRequest, models: [PlannedModel], probe: ProbeSpec?) {
        family = request.family
        let stages = models.compactMap { model in
            model.stage.map {
                Stage(lineage: $0.lineage, position: $0.position, label: $0.label, model: model.name,
                      revision: model.revisions.first?.name ?? "", source: model.source)
            }
        }
        self.stages = stages.isEmpty ? nil : stages
        self.models = models.map {
            Model(name: $0.name, source: $0.source, architecture: $0.architecture, revisions: $0.revisions.map(\.name))
        }.sorted { $0.name < $1.name }
        layers = request.layers.description
        var conventions = Self.weightConventions
        if let probe, let options = request.probe {
            kinds = JobKind.allCases.map(\.rawValue)
            representation = Representation(probe: probe, poolings: options.poolings.map(\.rawValue), batch: options.batch,
                                            artifacts: options.artifacts)
            conventions.merge(Self.representationConventions) { a, _ in a }
        } else {
            kinds = [JobKind.weights.rawValue]
            representation = nil
        }
        self.conventions = conventions
        toolVersion = SpectraVersion.current
    }

    static let weightConventions = [
        "weights_esd": "eigenvalues of W^T W in float64, Gram on the smaller side, not rescaled (WeightWatcher's CPU default)",
        "stable_rank": "sum of ESD / largest ESD value",
        "powerlaw": "WeightWatcher fit: every ESD value above 1e-5 but the largest tried as xmin, smallest KS distance wins",
        "farms": "the same fit on the averaged ESD of square submatrices (Hu et al. 2025)",
        "log_norm": "log10 of the ESD sum",
    ]

    static let representationConventions = [
        "hidden_states": "output_hidden_states order: 0 = embeddings, L = after the final norm; float32 forward pass",
        "pooling": "last: the last non-padding token's state; mean: the mean over non-padding tokens",
        "probe_selection": "blank lines skipped, Fisher-Yates over SplitMix64(seed), fewer than min_tokens dropped, cut to max_tokens",
        "spectrum": "eigenvalues of the covariance of the centered pooled rows (auto method, top 2048 kept)",
        "rankme": "exp(-sum p ln p), p = eigenvalue / sum of the top K + 1e-7 (paper, reptrix); rankme_garrido on raw singular values",
        "alpha_req": "weighted least squares of ln eigenvalue on -ln rank, weights 1/r, ranks 12..100 (the paper's code)",
    ]

    /// Canonical JSON (sorted keys), so equal configurations hash equally.
    func canonicalJSON() throws -> Data {
        try CanonicalJSON.encode(self)
    }
}
