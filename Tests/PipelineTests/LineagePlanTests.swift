import Foundation
import Checkpoints
import Jobs
import SpectraTestSupport
import Testing
@testable import Pipeline

/// Planning lineages without a database: the built-in ones offline, and lineage files
/// that must be refused with the stage at fault named.
@Suite struct LineagePlanTests {
    static let probe = SpectraExecutable.repositoryRoot.appendingPathComponent("examples/probe.txt").path

    @Test(arguments: [("olmo2-1124-7b", 32), ("olmo2-1124-13b", 40), ("tulu3-8b", 32)])
    func builtinLineagesPlanOfflineInADryRun(name: String, layers: Int) throws {
        let request = PlanRequest(family: "local", models: [],
                                  probe: ProbeOptions(path: Self.probe, samples: 1000, maxTokens: 128, poolings: [.last, .mean], artifacts: "/tmp/a"),
                                  lineage: name)
        let summary = try Planner(logger: TestSupport.logger).dryRun(request)
        // Four stages, one checkpoint each: an extract per stage, (L + 1) hidden states × 2
        // poolings of spectra, L weights blocks.
        #expect(summary.checkpoints == 4)
        #expect(summary.jobsByKind == ["extract": 4, "spectrum": 4 * (layers + 1) * 2, "weights": 4 * layers])
        #expect(summary.runName.hasPrefix("lineage-\(name)-"))
        #expect(summary.render(dryRun: true).contains("HF_TOKEN") == (name == "tulu3-8b"))
    }

    @Test func gatedBaseWithoutTokenNamesTheVariable() throws {
        let models = try LineageSource.resolve("tulu3-8b")
        #expect(models.map { $0.stage?.position } == [0, 1, 2, 3])
        #expect(models.map(\.architecture) == Array(repeating: "LlamaForCausalLM", count: 4))
        #expect {
            try LineageSource.checkGated(models, environment: [:])
        } throws: { error in
            let message = (error as? PipelineError)?.message ?? ""
            return message.contains("set HF_TOKEN") && message.contains("meta-llama/Llama-3.1-8B")
        }
        try LineageSource.checkGated(models, environment: ["HF_TOKEN": "hf_x"])
        try LineageSource.checkGated(try LineageSource.resolve("olmo2-1124-7b"), environment: [:])
    }

    @Test func unknownLineageListsTheKnownOnes() {
        #expect {
            try Planner(logger: TestSupport.logger).dryRun(PlanRequest(family: "local", models: [], lineage: "olmo3"))
        } throws: { error in
            ((error as? PipelineError)?.message ?? "").contains("known: olmo2-1124-7b, olmo2-1124-13b, tulu3-8b")
        }
    }

    /// A lineage file beside three copies of the OLMo fixture's config; `edit` changes one stage.
    static func lineageFile(_ stages: String, widthOfSFT: Int = 32) throws -> URL {
        let fm = FileManager.default
        let directory = fm.temporaryDirectory.appendingPathComponent("spectra-lineage-\(UUID().uuidString.prefix(8))")
        let config = try String(contentsOf: SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/olmo/config.json"),
                                encoding: .utf8)
        for (stage, width) in [("base", 32), ("sft", widthOfSFT), ("dpo", 32)] {
            let dir = directory.appendingPathComponent(stage)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": \(width)")
                .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        }
        let file = directory.appendingPathComponent("chain.json")
        try "{\"stages\": [\(stages)]}".write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    static func refusal(_ file: URL) -> String {
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        do {
            _ = try LineageSource.resolve(file.path)
            return "accepted"
        } catch {
            return (error as? PipelineError)?.message ?? "\(error)"
        }
    }

    @Test func localStagesPlanInOrder() throws {
        let file = try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}, {"label": "SFT", "checkpoint": "sft"}, {"label": "DPO", "checkpoint": "dpo", "model": "my-dpo"}"#)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let models = try LineageSource.resolve(file.path)
        #expect(models.map(\.name) == ["chain-base", "chain-SFT", "my-dpo"])
        #expect(models.compactMap(\.stage).map(\.label) == ["base", "SFT", "DPO"])
        #expect(models.compactMap(\.stage).map(\.position) == [0, 1, 2])
        #expect(models.allSatisfy { $0.revisions.count == 1 && $0.revisions[0].keepsRecordedProgress && $0.layerCount == 3 })
        #expect(models[1].revisions[0].checkpoint.checkpoint == file.deletingLastPathComponent().appendingPathComponent("sft").path)
    }

    @Test func badLineageFilesAreRefusedNamingTheStage() throws {
        let duplicate = Self.refusal(try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}, {"label": "SFT", "checkpoint": "sft"}, {"label": "sft", "checkpoint": "dpo"}"#))
        #expect(duplicate.contains("stage 3 repeats the label sft of stage 2"), "\(duplicate)")
        let missing = Self.refusal(try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}, {"label": "SFT"}"#))
        #expect(missing.contains("stage SFT names neither a repo"), "\(missing)")
        let absent = Self.refusal(try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}, {"label": "DPO", "checkpoint": "nowhere"}"#))
        #expect(absent.contains("stage DPO") && absent.contains("nowhere"), "\(absent)")
        let wide = Self.refusal(try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}, {"label": "SFT", "checkpoint": "sft"}"#, widthOfSFT: 64))
        #expect(wide.contains("stage SFT") && wide.contains("3 layers × 64") && wide.contains("cannot be compared by depth"), "\(wide)")
        let single = Self.refusal(try Self.lineageFile(#"{"label": "base", "checkpoint": "base"}"#))
        #expect(single.contains("at least two stages"), "\(single)")
    }
}
