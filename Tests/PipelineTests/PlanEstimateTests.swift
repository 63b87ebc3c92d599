import Checkpoints
import Jobs
import Testing
@testable import Pipeline

/// The dry-run storage estimate counts one weights result per matrix of a block, which
/// depends on the architecture (GPT-NeoX fuses q/k/v; the others do not).
@Suite struct PlanEstimateTests {
    private func model(_ architecture: Architecture, layers: Int = 4, hidden: Int = 64) -> PlannedModel {
        let revision = PlannedModel.Revision(
            name: "step1", step: 1, tokens: 1,
            checkpoint: CheckpointArguments(checkpoint: "/x", repo: nil, model: "m", revision: "step1"), location: "/x")
        return PlannedModel(name: "\(architecture)", family: "local", architecture: architecture.rawValue,
                            layerCount: layers, hiddenSize: hidden, source: "/x", revisions: [revision])
    }

    /// Oracle: 4 blocks × matrices per block × (64 eigenvalues × 4 bytes + 1024 bytes of row).
    @Test("weights results scale with the architecture's matrices per block", arguments: Architecture.allCases)
    func weightResults(architecture: Architecture) {
        let summary = Planner().estimate([model(architecture)], request: PlanRequest(family: "local", models: ["m"]),
                                         runID: 0, runName: "r")
        let matrices = architecture == .gptNeoX ? 4 : 7
        #expect(summary.jobsByKind["weights"] == 4)
        #expect(summary.resultBytes == Int64(4 * matrices * (64 * 4 + 1024)))
    }
}
