import Foundation
import Jobs
import SpectraTestSupport
import Testing
@testable import Pipeline

/// The six crashes an outside mutation fuzzer found (issue 19), each replayed through the
/// `spectra` binary the way the fuzzer ran it: every one must now end in a one-line error
/// naming the field or option, with exit status 1 (or 64 for a usage error), never a signal.
@Suite struct HostileInputTests {
    private static let fixture = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/gpt-neox")
    private static let tokenizer = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json")

    /// A one-revision local series (catalog.json, step1/ with the GPT-NeoX fixture's weights
    /// and the fixture tokenizer) whose config.json has `overrides` applied.
    private struct Series {
        let root: URL
        var checkpoint: URL { root.appendingPathComponent("step1") }
        var probe: URL { root.appendingPathComponent("probe.txt") }

        init(config overrides: [String: Any] = [:], tokenizer: Data? = nil) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-hostile-\(UUID())")
            let step = root.appendingPathComponent("step1")
            try FileManager.default.createDirectory(at: step, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: HostileInputTests.fixture.appendingPathComponent("model.safetensors"),
                                             to: step.appendingPathComponent("model.safetensors"))
            try (tokenizer ?? Data(contentsOf: HostileInputTests.tokenizer)).write(to: step.appendingPathComponent("tokenizer.json"))
            var config = try JSONSerialization.jsonObject(
                with: Data(contentsOf: HostileInputTests.fixture.appendingPathComponent("config.json"))) as! [String: Any]
            for (key, value) in overrides { config[key] = value }
            try JSONSerialization.data(withJSONObject: config).write(to: step.appendingPathComponent("config.json"))
            try Data(#"{"model": "hostile", "revisions": [{"name": "step1", "step": 1, "tokens": 1}]}"#.utf8)
                .write(to: root.appendingPathComponent("catalog.json"))
            try Data("the first probe line\nand a second one\n".utf8).write(to: probe)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        func planDryRun(_ extra: [String] = []) throws -> SpectraExecutable.Output {
            try SpectraExecutable.run(["plan", "--family", "local", "--model", root.path, "--dry-run"] + extra)
        }

        func activations() throws -> SpectraExecutable.Output {
            try SpectraExecutable.run(["activations", checkpoint.path, "--text", probe.path,
                                       "--out", root.appendingPathComponent("out").path])
        }
    }

    /// Exit 1 (or ArgumentParser's 64 for a usage error), one `Error:` line containing every
    /// string of `naming`. A trap or SIGSEGV would show as status 4, 5, 6 or 11.
    private func expectOneLineError(_ output: SpectraExecutable.Output, naming: [String],
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 1 || output.status == 64, "status \(output.status): \(output.stderr)", sourceLocation: sourceLocation)
        let errors = output.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors.count == 1, "\(output.stderr)", sourceLocation: sourceLocation)
        for word in naming {
            #expect(errors.first?.contains(word) == true, "\(word) missing from: \(output.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// 1. hidden_size 2^59 with one head overflowed the planner's storage estimate.
    @Test func hiddenSizeTwoToTheFiftyNine() throws {
        let series = try Series(config: ["hidden_size": 1 << 59, "num_attention_heads": 1])
        defer { series.remove() }
        expectOneLineError(try series.planDryRun(), naming: ["hidden_size", "576460752303423488", "131072"])
    }

    /// 2. num_hidden_layers 2^63 − 1 trapped in the planner and in `spectra activations`.
    @Test func layerCountIntMax() throws {
        let series = try Series(config: ["num_hidden_layers": Int.max])
        defer { series.remove() }
        expectOneLineError(try series.planDryRun(), naming: ["num_hidden_layers", "\(Int.max)", "4096"])
        expectOneLineError(try series.activations(), naming: ["num_hidden_layers", "\(Int.max)", "4096"])
    }

    /// 3. num_hidden_layers 2^62 wrapped the allocation of `Array(0..<count)` (SIGSEGV).
    @Test func layerCountTwoToTheSixtyTwo() throws {
        let series = try Series(config: ["num_hidden_layers": 1 << 62])
        defer { series.remove() }
        expectOneLineError(try series.planDryRun(), naming: ["num_hidden_layers", "\(1 << 62)"])
        expectOneLineError(try series.activations(), naming: ["num_hidden_layers", "\(1 << 62)"])
    }

    /// 4. num_hidden_layers 10^9 allocated 8 GB for the layer list.
    @Test func layerCountOneBillion() throws {
        let series = try Series(config: ["num_hidden_layers": 1_000_000_000])
        defer { series.remove() }
        expectOneLineError(try series.planDryRun(), naming: ["num_hidden_layers", "1000000000"])
        expectOneLineError(try series.activations(), naming: ["num_hidden_layers", "1000000000"])
    }

    /// 5. --samples 2^62 overflowed the planner's artifact estimate; refused by the CLI and,
    /// for callers that skip it, by the planner itself.
    @Test func samplesTwoToTheSixtyTwo() throws {
        let series = try Series()
        defer { series.remove() }
        expectOneLineError(try series.planDryRun(["--probe", series.probe.path, "--samples", "4611686018427387904"]),
                           naming: ["--samples", "4611686018427387904", "16777216"])
        let request = PlanRequest(family: "local", models: [series.root.path], probe: ProbeOptions(
            path: series.probe.path, samples: 1 << 62, artifacts: series.root.path))
        #expect(throws: PipelineError.self) { try Planner(logger: TestSupport.logger).dryRun(request) }
        do {
            _ = try Planner(logger: TestSupport.logger).dryRun(request)
        } catch let error as PipelineError {
            #expect(error.message.contains("--samples 4611686018427387904"), "\(error.message)")
        }
    }

    /// 6. A tokenizer id of 2^30 sized an 8.6 GB decoding table; in the vocabulary and in
    /// the added tokens alike.
    @Test(arguments: ["vocab", "added"]) func tokenIdTwoToTheThirty(place: String) throws {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.tokenizer)) as! [String: Any]
        if place == "vocab" {
            var model = json["model"] as! [String: Any]
            var vocab = model["vocab"] as! [String: Any]
            vocab["zzzhostile"] = 1 << 30
            model["vocab"] = vocab
            json["model"] = model
        } else {
            json["added_tokens"] = [["id": 1 << 30, "content": "<|hostile|>", "special": true, "normalized": false]]
        }
        let series = try Series(tokenizer: try JSONSerialization.data(withJSONObject: json))
        defer { series.remove() }
        let field = place == "vocab" ? "model.vocab" : "added_tokens[0]"
        expectOneLineError(try series.activations(), naming: [field, "1073741824", "4194304"])
        let tokenize = try SpectraExecutable.run(["tokenize", series.checkpoint.path, series.probe.path])
        expectOneLineError(tokenize, naming: [field, "1073741824"])
    }
}
