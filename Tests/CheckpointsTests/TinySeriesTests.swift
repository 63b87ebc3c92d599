import Foundation
import LinearAlgebra
import Testing
@testable import Checkpoints

/// The committed trained series (tools/train_tiny_series.py), read as a user's would be:
/// catalog.json → hub cache refs → snapshots → F16 (Pythia-like) and BF16 (OLMo-like) weights.
@Suite struct TinySeriesTests {
    static let schedule = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1500, 2000]

    @Test(arguments: [("tiny-pythia", "spectra/tiny-pythia"), ("tiny-olmo", "spectra/tiny-olmo")])
    func catalogReadsRevisionsFromTheHubCache(model: String, repo: String) throws {
        let series = repositoryRoot.appendingPathComponent("examples/\(model)")
        let catalog = try RevisionCatalog.load(seriesDirectory: series)
        #expect(catalog.model == model && catalog.tokensPerStep == 2048 && catalog.hub?.repo == repo)
        #expect(catalog.entries.map(\.step) == Self.schedule)
        #expect(catalog.entries.allSatisfy { $0.tokens == $0.step * 2048 && $0.directory.path.contains("/snapshots/") })
        #expect(catalog.revisions.first?.repo == repo)
    }

    /// Every revision's config and every tensor load; block matrices have config's shapes.
    @Test(arguments: [("tiny-pythia", SafetensorsDType.f16), ("tiny-olmo", SafetensorsDType.bf16)])
    func everyRevisionLoads(model: String, dtype: SafetensorsDType) throws {
        let catalog = try RevisionCatalog.load(seriesDirectory: repositoryRoot.appendingPathComponent("examples/\(model)"))
        for entry in catalog.entries {
            let checkpoint = try catalog.checkpoint(entry)
            let c = checkpoint.config
            #expect(c.hiddenSize == 64 && c.layerCount == 4 && c.headCount == 4 && c.vocabSize == 1024)
            for name in checkpoint.tensorNames {
                let info = try checkpoint.tensorInfo(name)
                #expect(info.dtype == dtype, "\(entry.name) \(name)")
                let values = try checkpoint.tensor(name).values
                #expect(values.allSatisfy { $0.isFinite }, "\(entry.name) \(name)")
            }
            for layer in 0..<c.layerCount {
                for name in c.architecture.weightMatrixNames(layer: layer) {
                    let matrix = try checkpoint.matrix(name)
                    #expect(matrix.shape.allSatisfy { $0 == 64 || $0 == 3 * 64 || $0 == c.intermediateSize }, "\(name)")
                }
            }
        }
    }

    /// Training changes the geometry: the top eigenvalue of WᵀW of layer 2's MLP input
    /// grows 5-7× from step 0 to step 2000. Oracle: numpy.linalg.svd in float64 on the same
    /// stored values (tools/train_tiny_series.py's output); tolerance 1e-6 relative, as
    /// both widen F16/BF16 exactly and accumulate in Float64.
    @Test(arguments: [("tiny-pythia", "gpt_neox.layers.2.mlp.dense_h_to_4h.weight", 0.22174310226886826, 1.6281621164504099),
                      ("tiny-olmo", "model.layers.2.mlp.up_proj.weight", 0.1741201136937845, 1.0993122880509256)])
    func trainingGrowsTheTopEigenvalue(model: String, tensor: String, first: Double, last: Double) throws {
        let catalog = try RevisionCatalog.load(seriesDirectory: repositoryRoot.appendingPathComponent("examples/\(model)"))
        let spectra = try [catalog.entries.first!, catalog.entries.last!].map { entry in
            try GramSpectrum.squaredSingularValues(of: catalog.checkpoint(entry).matrix(tensor))
        }
        #expect(abs(spectra[0][0] - first) <= 1e-6 * first, "\(spectra[0][0])")
        #expect(abs(spectra[1][0] - last) <= 1e-6 * last, "\(spectra[1][0])")
        #expect(spectra[1][0] / spectra[0][0] > 5)
    }

    /// The models learned: held-out loss (nats per token) falls from ln(1024) ≈ 6.93 at step 0.
    @Test(arguments: ["tiny-pythia", "tiny-olmo"])
    func heldOutLossFalls(model: String) throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("examples/\(model)/catalog.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let losses = try #require((root["revisions"] as? [[String: Any]])?.compactMap { $0["heldout_loss"] as? Double })
        #expect(losses.count == Self.schedule.count)
        #expect(abs(losses[0] - log(1024)) < 0.05 && losses.last! < 3.6, "\(losses)")
    }
}
