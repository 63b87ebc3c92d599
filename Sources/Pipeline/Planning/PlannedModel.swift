import SpectraBase
import Jobs
import Foundation

/// A model as the planner sees it, whatever its source: its shape and the revisions chosen.
struct PlannedModel: Sendable {
    struct Revision: Sendable {
        var name: String
        var step: Int64
        var tokens: Int64
        /// Where workers find the checkpoint.
        var checkpoint: CheckpointArguments
        /// What `spectra.checkpoints.location` records.
        var location: String
        /// Step and tokens are unknown (a post-training stage): a checkpoint row that
        /// exists keeps what it recorded.
        var keepsRecordedProgress = false
    }

    var name: String
    var family: String
    var architecture: String
    var layerCount: Int
    var hiddenSize: Int
    /// The series directory or hub repository.
    var source: String
    var revisions: [Revision]
    /// The model's place in a post-training lineage, when it is one of its stages.
    var stage: LineageStage?

    init(name: String, family: String, architecture: String, layerCount: Int, hiddenSize: Int, source: String,
         revisions: [Revision], stage: LineageStage? = nil) {
        self.name = name
        self.family = family
        self.architecture = architecture
        self.layerCount = layerCount
        self.hiddenSize = hiddenSize
        self.source = source
        self.revisions = revisions
        self.stage = stage
    }

    /// The `args` of a weights job (a checkpoint job's arguments).
    func weightsArguments(_ revision: Revision) -> String {
        (try? CanonicalJSON.text(revision.checkpoint)) ?? "{}"
    }

    /// The `args` of the revision's extract and spectrum jobs.
    func extractArguments(_ revision: Revision, layers: [Int], probe: ProbeOptions, spec: ProbeSpec) -> String {
        ExtractArguments(checkpoint: revision.checkpoint.checkpoint, repo: revision.checkpoint.repo, model: name,
                         revision: revision.name, layers: layers, poolings: probe.poolings.map(\.rawValue), probe: spec,
                         batch: probe.batch, artifacts: probe.artifacts).jsonText()
    }
}
