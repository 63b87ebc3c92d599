import Checkpoints
import Foundation
import Postgres
import SpectraTestSupport
import Testing
@testable import Pipeline

/// The commands on PyTorch `.bin` checkpoints: `spectra spectrum FILE.bin:TENSOR`,
/// `spectra activations` on a directory holding pytorch_model.bin, and the weights job on a
/// local series of them.
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
        defer { try? FileManager.default.removeItem(at: directory) }
        try convert(fixture, into: directory)
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

    /// Writes `directory/pytorch_model.bin` (every matrix a transposed view) and config.json
    /// from a safetensors checkpoint.
    private func convert(_ source: URL, into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let weights = try SafetensorsFile(url: source.appendingPathComponent("model.safetensors"))
        let tensors = try weights.tensorNames.map { name in
            let t = try weights.tensor(name)
            return (name: name, shape: t.shape, values: t.values)
        }
        try transposedTorchCheckpoint(tensors).write(to: directory.appendingPathComponent("pytorch_model.bin"))
        // Read, not copied: a hub snapshot's config.json is a relative symlink.
        try Data(contentsOf: source.appendingPathComponent("config.json")).write(to: directory.appendingPathComponent("config.json"))
    }

    /// Oracle: `spectra spectrum --weights` on the bundled safetensors of the same revision.
    /// Stored eigenvalues are real[] (Float32), so 1e-6 relative, as in SpectrumCommandTests.
    @Test func weightsJobReadsBinSeries() throws {
        let series = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-bin-series-\(UUID())")
        defer { try? FileManager.default.removeItem(at: series) }
        try convert(SpectraExecutable.bundledCheckpoint("step2000"), into: series.appendingPathComponent("step2000"))
        try Data(#"{"model": "tiny-bin", "tokens_per_step": 2048, "revisions": [{"name": "step2000", "step": 2000}]}"#.utf8)
            .write(to: series.appendingPathComponent("catalog.json"))
        let url = try TestSupport.migratedDatabase()
        _ = try Planner(logger: TestSupport.logger).plan(
            PlanRequest(family: "local", models: [series.path], layers: .some([1])), url: url)
        let work = try SpectraExecutable.run(["work", "--drain"], environment: ["DATABASE_URL": url, "SPECTRA_LOG_LEVEL": "error"])
        #expect(work.status == 0, "\(work.stderr)")

        let tensor = SpectraExecutable.bundledCheckpoint("step2000").path + "/model.safetensors:gpt_neox.layers.1.mlp.dense_h_to_4h.weight"
        let cli = try SpectraExecutable.run(["spectrum", tensor, "--weights", "--json"])
        let report = try JSONDecoder().decode(Report.self, from: Data(cli.stdout.utf8))
        let db = try Connection(url: url)
        let row = try #require(try db.query(SQLQuery("""
            select eigenvalues from spectra.results where source = 'weights' and layer = 1 and matrix = 'mlp.in'
            """)).first)
        let stored = try row.decode("eigenvalues", as: [Float].self)
        #expect(stored.count == report.eigenvalues.count && !stored.isEmpty)
        for (a, b) in zip(stored, report.eigenvalues) { #expect(abs(Double(a) - b) <= 1e-6 * b) }
    }
}
