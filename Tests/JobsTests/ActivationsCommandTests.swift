import Checkpoints
import Foundation
import SpectraTestSupport
import Testing

/// `spectra activations` end to end on the tiny GPT-NeoX fixture with the fixture
/// tokenizer (Tests/Fixtures/models, tools/make_model_fixtures.py).
@Suite struct ActivationsCommandTests {
    private let fixture = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/gpt-neox")

    /// A checkpoint directory: the fixture's config and weights beside the fixture tokenizer.
    private func checkpoint() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-activations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(
            at: SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json"),
            to: directory.appendingPathComponent("tokenizer.json"))
        return directory
    }

    private func matrix(_ url: URL) throws -> Matrix {
        let file = try NumpyFile(url: url)
        let m = try file.matrix()
        return Matrix(rows: m.rows, columns: m.columns, values: m.storage)
    }

    private struct Matrix { let rows: Int, columns: Int, values: [Float] }

    /// Oracle: transformers 5.23.0 / torch 2.13.0+cpu float32 on the same token ids (HF
    /// tokenizers 0.23.3, truncated to 16), last-token pooling. Tolerance 1e-4 max abs.
    @Test func writesTheLayersTransformersGives() throws {
        let directory = try checkpoint()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        let result = try SpectraExecutable.run([
            "activations", directory.path, "--text", fixture.appendingPathComponent("activations/probe.txt").path,
            "--max-tokens", "16", "--batch", "3", "--out", out.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // The warning comes once, with the count of lines cut (3 of the 4 non-empty lines).
        #expect(result.stderr.components(separatedBy: "truncated").count == 2, "\(result.stderr)")
        #expect(result.stderr.contains("3 of 4 lines"), "\(result.stderr)")
        #expect(result.stdout.contains("4 sequences"))
        for layer in 0..<4 {
            let name = String(format: "layer-%02d.npy", layer)
            let got = try matrix(out.appendingPathComponent(name))
            let expected = try matrix(fixture.appendingPathComponent("activations/\(name)"))
            #expect(got.rows == 4 && got.columns == 32)
            let difference = zip(got.values, expected.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-4, "\(name): max |Δ| = \(difference)")
        }
    }

    @Test func selectedLayersAndMeanPooling() throws {
        let directory = try checkpoint()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        let result = try SpectraExecutable.run([
            "activations", directory.path, "--text", fixture.appendingPathComponent("activations/probe.txt").path,
            "--layers", "1,3", "--pooling", "mean", "--max-tokens", "16", "--out", out.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["layer-01.npy", "layer-03.npy"])
    }

    @Test func emptyProbeFileIsAnErrorNamingIt() throws {
        let directory = try checkpoint()
        defer { try? FileManager.default.removeItem(at: directory) }
        let probe = directory.appendingPathComponent("probe.txt")
        try Data("\n\n".utf8).write(to: probe)
        let result = try SpectraExecutable.run(["activations", directory.path, "--text", probe.path,
                                                "--out", directory.appendingPathComponent("out").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains(probe.path) && result.stderr.contains("no non-empty lines"), "\(result.stderr)")
    }

    @Test func tokenizerOptionAndVocabularyMismatch() throws {
        let probe = fixture.appendingPathComponent("activations/probe.txt").path
        let tokenizer = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-activations-\(UUID())")
        defer { try? FileManager.default.removeItem(at: out) }
        // The fixture directory has no tokenizer.json: the error says how to name one.
        let missing = try SpectraExecutable.run(["activations", fixture.path, "--text", probe, "--out", out.path])
        #expect(missing.status != 0 && missing.stderr.contains("--tokenizer"), "\(missing.stderr)")
        let named = try SpectraExecutable.run(["activations", fixture.path, "--text", probe, "--tokenizer", tokenizer,
                                               "--max-tokens", "16", "--layers", "3", "--out", out.path])
        #expect(named.status == 0, "\(named.stderr)")
        // OLMo's fixture has vocab 256: the 4105-token tokenizer's ids do not fit, and the
        // message names the probe line.
        let olmo = fixture.deletingLastPathComponent().appendingPathComponent("olmo").path
        let mismatch = try SpectraExecutable.run(["activations", olmo, "--text", probe, "--tokenizer", tokenizer, "--out", out.path])
        #expect(mismatch.status != 0 && mismatch.stderr.contains("probe.txt line 1") && mismatch.stderr.contains("vocab_size 256"),
                "\(mismatch.stderr)")
    }
}
