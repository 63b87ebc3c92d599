import Foundation
import LinearAlgebra
import Testing
@testable import Checkpoints

/// The committed examples/tiny-pythia series, read as a user's series would be.
@Suite struct SyntheticSeriesTests {
    @Test func catalogListsTwelveRevisionsOnPythiaTokens() throws {
        let catalog = try RevisionCatalog.load(seriesDirectory: tinyPythia)
        #expect(catalog.model == "tiny-pythia" && catalog.tokensPerStep == 2_097_152)
        #expect(catalog.entries.count == 12)
        #expect(catalog.entries.first?.name == "step0" && catalog.entries.last?.name == "step143000")
        #expect(catalog.entries.allSatisfy { $0.tokens == $0.step * 2_097_152 })
        #expect(zip(catalog.entries, catalog.entries.dropFirst()).allSatisfy { $0.step < $1.step })
    }

    /// Every block matrix has the shape config.json implies (HF stores out × in).
    @Test func shapesFollowConfig() throws {
        let checkpoint = try CheckpointDirectory(url: tinyPythia.appendingPathComponent("step1000"))
        let c = checkpoint.config
        #expect(c.architecture == .gptNeoX && c.hiddenSize == 64 && c.layerCount == 4 && c.headCount == 4)
        #expect(c.intermediateSize == 256 && c.vocabSize == 256 && c.torchDType == "float16")
        let expected = [[3 * c.hiddenSize, c.hiddenSize], [c.hiddenSize, c.hiddenSize],
                        [c.intermediateSize, c.hiddenSize], [c.hiddenSize, c.intermediateSize]]
        for layer in 0..<c.layerCount {
            for (name, shape) in zip(c.architecture.weightMatrixNames(layer: layer), expected) {
                let info = try checkpoint.tensorInfo(name)
                #expect(info.dtype == .f16 && info.shape == shape, "\(name)")
            }
        }
        #expect(try checkpoint.matrix(c.architecture.inputEmbeddingName).shape == [c.vocabSize, c.hiddenSize])
        #expect(try checkpoint.matrix(c.architecture.outputEmbeddingName).shape == [c.vocabSize, c.hiddenSize])
        // 4 per-layer weights + 4 biases + 2 norms × 2, plus embeddings and the final norm.
        #expect(checkpoint.tensorNames.count == c.layerCount * 12 + 4)
    }

    /// Oracle: checksums.json, numpy's float64 sum and sum of squares of the stored F16
    /// values. F16 → Float32 is exact, so the only difference is summation order:
    /// tolerance 1e-9 relative to the sum of squares (values are below 1 in magnitude,
    /// so each of ≤ 16384 float64 additions errs by under 2^-53 of the running total).
    @Test(arguments: ["step0", "step64", "step143000"])
    func valuesMatchNumpyChecksums(revision: String) throws {
        let data = try Data(contentsOf: tinyPythia.appendingPathComponent("checksums.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sums = try #require((root["revisions"] as? [String: Any])?[revision] as? [String: [Double]])
        let checkpoint = try CheckpointDirectory(url: tinyPythia.appendingPathComponent(revision))
        #expect(Set(sums.keys) == Set(checkpoint.tensorNames))
        for (name, expected) in sums {
            let values = try checkpoint.tensor(name).values.map(Double.init)
            let tolerance = 1e-9 * max(1, expected[1])
            #expect(abs(values.reduce(0, +) - expected[0]) <= tolerance, "\(revision) \(name) sum")
            #expect(abs(values.reduce(0) { $0 + $1 * $1 } - expected[1]) <= tolerance, "\(revision) \(name) sum of squares")
        }
    }

    /// The synthetic training must visibly change the spectrum: the top eigenvalue of WᵀW
    /// grows about 4× while the bulk's median barely moves (a tail grows out of the bulk).
    /// Oracle: numpy.linalg.svd in float64 on the same F16 values (0.21884214 → 0.92814608);
    /// tolerance 1e-6 relative, as both accumulate exactly-widened F16 values in Float64.
    @Test func spectrumGrowsATailOverTraining() throws {
        let catalog = try RevisionCatalog.load(seriesDirectory: tinyPythia)
        let name = "gpt_neox.layers.2.mlp.dense_h_to_4h.weight"
        let spectra = try [catalog.entries.first!, catalog.entries.last!].map { entry in
            try GramSpectrum.squaredSingularValues(of: catalog.checkpoint(entry).matrix(name))
        }
        #expect(abs(spectra[0][0] - 0.2188421394673956) <= 1e-6 * 0.2188421394673956)
        #expect(abs(spectra[1][0] - 0.928146077593859) <= 1e-6 * 0.928146077593859)
        let medianRatio = spectra[1][32] / spectra[0][32]
        #expect(spectra[1][0] / spectra[0][0] > 4 && medianRatio < 1.2)
    }
}
