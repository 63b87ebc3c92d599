import Checkpoints
import Foundation
import LinearAlgebra
import Testing
@testable import Models

/// Tests/Fixtures/models, written by tools/make_model_fixtures.py.
let modelFixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/models", isDirectory: true)

/// One fixture model with its batch and the reference pooled states.
struct ModelFixture {
    let directory: URL
    let batch: [[Int32]]

    init(_ name: String) throws {
        directory = modelFixtures.appendingPathComponent(name)
        let data = try Data(contentsOf: directory.appendingPathComponent("batch.json"))
        batch = try JSONDecoder().decode([[Int32]].self, from: data)
    }

    func model() throws -> TransformerModel {
        try TransformerModel.load(CheckpointDirectory(url: directory))
    }

    /// (L + 1) × B × d from `pooling`.npy, as [layer][sequence × d].
    func expected(_ pooling: Pooling) throws -> [[Float]] {
        let file = try NumpyFile(url: directory.appendingPathComponent("\(pooling.rawValue).npy"))
        let (layers, perLayer) = (file.shape[0], file.shape[1] * file.shape[2])
        return file.withElements { elements in
            guard case .float32(let values) = elements else { return [] }
            return (0..<layers).map { Array(values[($0 * perLayer)..<(($0 + 1) * perLayer)]) }
        }
    }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite("Transformer forward pass against transformers")
struct TransformerFixtureTests {
    /// Oracle: transformers 5.23.0 / torch 2.13.0+cpu in float32, the batch right-padded
    /// with an attention mask and position ids from the mask (the script checks left
    /// padding and single-sequence runs agree to 1e-5). Tolerance 1e-4 max abs: both sides
    /// are Float32 with different summation orders (sgemm blocking, erf approximation
    /// < 1e-6) over activations up to |h| ≈ 26.
    @Test("every hidden state, pooled last and mean, within 1e-4",
          arguments: ["gpt-neox", "gpt-neox-sequential", "olmo", "olmo2", "llama", "llama-linear", "qwen2", "mistral"])
    func matchesTransformers(name: String) throws {
        let fixture = try ModelFixture(name)
        let model = try fixture.model()
        let layers = Array(0..<model.hiddenStateCount)
        let result = try model.pooledHiddenStates(fixture.batch, layers: layers, poolings: Pooling.allCases)
        for pooling in Pooling.allCases {
            let expected = try fixture.expected(pooling)
            #expect(expected.count == model.hiddenStateCount)
            for layer in layers {
                let got = try #require(result[pooling]?[layer])
                #expect(got.rows == fixture.batch.count && got.columns == model.config.hiddenSize)
                let difference = maxAbsDifference(got.storage, expected[layer])
                #expect(difference <= 1e-4, "\(name) \(pooling) hidden state \(layer): max |Δ| = \(difference)")
            }
        }
    }

    /// Packing removes padding, so each sequence alone must give bit-for-bit what it gives
    /// in the batch only up to sgemm's blocking; 1e-5 allows for that.
    @Test("a sequence alone gives what it gives in a batch", arguments: ["gpt-neox", "olmo2", "llama", "mistral"])
    func batchingDoesNotChangeResults(name: String) throws {
        let fixture = try ModelFixture(name)
        let model = try fixture.model()
        let layers = Array(0..<model.hiddenStateCount)
        let batched = try model.pooledHiddenStates(fixture.batch, layers: layers, poolings: [.last, .mean])
        let d = model.config.hiddenSize
        for (i, sequence) in fixture.batch.enumerated() {
            let alone = try model.pooledHiddenStates([sequence], layers: layers, poolings: [.last, .mean])
            for pooling in Pooling.allCases {
                for layer in layers {
                    let row = Array(batched[pooling]![layer]!.storage[(i * d)..<((i + 1) * d)])
                    #expect(maxAbsDifference(row, alone[pooling]![layer]!.storage) <= 1e-5)
                }
            }
        }
    }

    @Test("only the requested layers and poolings come back; deeper blocks are skipped")
    func requestedSubset() throws {
        let fixture = try ModelFixture("olmo")
        let model = try fixture.model()
        let result = try model.pooledHiddenStates(fixture.batch, layers: [1, 0], poolings: [.mean])
        #expect(result.keys.sorted { $0.rawValue < $1.rawValue } == [.mean])
        #expect(Set(result[.mean]!.keys) == [0, 1])
        let expected = try fixture.expected(.mean)
        #expect(maxAbsDifference(result[.mean]![1]!.storage, expected[1]) <= 1e-4)
        // The last index alone still runs every block and the final norm.
        let last = try model.pooledHiddenStates(fixture.batch, layers: [3], poolings: [.mean])
        #expect(maxAbsDifference(last[.mean]![3]!.storage, expected[3]) <= 1e-4)
    }

    /// With room for one head's scores at a time the heads run one by one; the products
    /// are the same sgemm calls on the same data, so the result is identical (tolerance 0).
    @Test("attention taking heads one at a time gives the same states", arguments: ["gpt-neox", "olmo2", "mistral"])
    func headsInPasses(name: String) throws {
        let fixture = try ModelFixture(name)
        let model = try fixture.model()
        let layers = Array(0..<model.hiddenStateCount)
        let whole = try model.pooledHiddenStates(fixture.batch, layers: layers, poolings: [.mean])
        let passes = try model.pooledHiddenStates(fixture.batch, layers: layers, poolings: [.mean], scoreCapacity: 1)
        for layer in layers {
            #expect(whole[.mean]![layer]! == passes[.mean]![layer]!)
        }
    }
}
