import Checkpoints
import Foundation
import SpectraTestSupport
import Testing

/// The commands on PyTorch `.bin` checkpoints: `spectra spectrum FILE.bin:TENSOR` and
/// `spectra activations` on a directory holding pytorch_model.bin.
@Suite struct TorchCheckpointCommandTests {
    private let torch = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/torch")
    private let models = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models")

    private struct Report: Decodable {
        var shape: [Int]
        var eigenvalues: [Double]
        var metrics: [String: Double?]
    }

    /// Oracle: the same weights saved by safetensors (tools/make_torch_fixtures.py). Both
    /// files hold identical F32 values and run the same engine, so the reports are equal.
    @Test func spectrumOfBinTensorEqualsSafetensors() throws {
        let tensor = "gpt_neox.layers.0.mlp.dense_h_to_4h.weight"
        let bin = try SpectraExecutable.run(["spectrum", torch.path + "/neox/pytorch_model-00001-of-00002.bin:\(tensor)",
                                             "--json"])
        let safetensors = try SpectraExecutable.run(["spectrum", torch.path + "/neox/model.safetensors:\(tensor)",
                                                     "--json"])
        #expect(bin.status == 0, "\(bin.stderr)")
        let a = try JSONDecoder().decode(Report.self, from: Data(bin.stdout.utf8))
        let b = try JSONDecoder().decode(Report.self, from: Data(safetensors.stdout.utf8))
        #expect(a.shape == [32, 8])
        #expect(a.eigenvalues == b.eigenvalues && a.metrics == b.metrics)
    }

    @Test func spectrumRefusesHostilePickle() throws {
        let out = try SpectraExecutable.run(["spectrum", torch.path + "/reduce-os-system.bin:matrix"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("reduce-os-system.bin") && out.stderr.contains("refusing global posix.system"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/spectra-torch-fixture-executed"))
    }

    /// Oracle: transformers 5.23.0 / torch 2.13.0+cpu on the safetensors fixture (the same
    /// files ActivationsCommandTests compares with); tolerance 1e-4 max abs, as there. The
    /// .bin stores every matrix transposed, so every weight is read through a strided view.
    @Test func activationsFromTransposedBin() throws {
        let fixture = models.appendingPathComponent("gpt-neox")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-torch-activations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = try SafetensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        let tensors = try weights.tensorNames.map { name in
            let t = try weights.tensor(name)
            return (name: name, shape: t.shape, values: t.values)
        }
        try transposedTorchCheckpoint(tensors).write(to: directory.appendingPathComponent("pytorch_model.bin"))
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("config.json"),
                                         to: directory.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(
            at: SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json"),
            to: directory.appendingPathComponent("tokenizer.json"))
        let out = directory.appendingPathComponent("out")
        let result = try SpectraExecutable.run([
            "activations", directory.path, "--text", fixture.appendingPathComponent("activations/probe.txt").path,
            "--max-tokens", "16", "--batch", "3", "--out", out.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for layer in 0 ..< 4 {
            let name = String(format: "layer-%02d.npy", layer)
            let got = try NumpyFile(url: out.appendingPathComponent(name)).matrix()
            let expected = try NumpyFile(url: fixture.appendingPathComponent("activations/\(name)")).matrix()
            #expect(got.rows == 4 && got.columns == 32)
            let difference = zip(got.storage, expected.storage).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-4, "\(name): max |Δ| = \(difference)")
        }
    }
}
