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
    func weightResults(architecture: Architecture) throws {
        let summary = try Planner().estimate([model(architecture)], request: PlanRequest(family: "local", models: ["m"]),
                                         runID: 0, runName: "r")
        let matrices = architecture == .gptNeoX ? 4 : 7
        #expect(summary.jobsByKind["weights"] == 4)
        #expect(summary.resultBytes == Int64(4 * matrices * (64 * 4 + 1024)))
    }
}

/// The estimate multiplies sizes from configs and flags with overflow checks: a model that
/// slipped past the config bounds (or a caller that skipped them) gets an error naming
/// the model, not a trap. hidden_size 2^59 × 4 bytes overflows the weights result size.
@Suite struct PlanEstimateOverflowTests {
    @Test func hugeHiddenSizeIsAnError() {
        let revision = PlannedModel.Revision(
            name: "step1", step: 1, tokens: 1,
            checkpoint: CheckpointArguments(checkpoint: "/x", repo: nil, model: "m", revision: "step1"), location: "/x")
        let model = PlannedModel(name: "huge", family: "local", architecture: "GPTNeoXForCausalLM",
                                 layerCount: 4, hiddenSize: 1 << 59, source: "/x", revisions: [revision])
        do {
            _ = try Planner().estimate([model], request: PlanRequest(family: "local", models: ["huge"]), runID: 0, runName: "r")
            Issue.record("no error for hidden_size 2^59")
        } catch let error as PipelineError {
            #expect(error.message.hasPrefix("model huge: the weights result size overflows"), "\(error.message)")
            #expect(error.message.contains("hidden_size 576460752303423488"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
