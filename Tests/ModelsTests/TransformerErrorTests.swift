import Checkpoints
import Foundation
import Testing
@testable import Models

/// Asserts that `body` throws a ModelError with `code` whose message contains every text.
func expectModelError(_ code: ModelError.Code, containing texts: [String],
                      sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ModelError (\(code))", sourceLocation: sourceLocation)
    } catch let error as ModelError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for text in texts {
            #expect(error.message.contains(text), "\(error) should mention \(text)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected ModelError, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Transformer input and checkpoint errors")
struct TransformerErrorTests {
    @Test("an empty sequence is an error naming it")
    func emptySequence() throws {
        let model = try ModelFixture("gpt-neox").model()
        expectModelError(.invalidInput, containing: ["sequence 1", "empty"]) {
            _ = try model.pooledHiddenStates([[5, 6], [], [7]], layers: [0], poolings: [.last])
        }
    }

    @Test("a token id outside the vocabulary is an error naming the sequence and position")
    func badTokenID() throws {
        let model = try ModelFixture("olmo").model()
        expectModelError(.invalidInput, containing: ["sequence 2", "position 1", "token id 256", "vocab_size 256"]) {
            _ = try model.pooledHiddenStates([[1], [2, 3], [4, 256]], layers: [1], poolings: [.mean])
        }
        expectModelError(.invalidInput, containing: ["sequence 0", "token id -1"]) {
            _ = try model.pooledHiddenStates([[-1]], layers: [1], poolings: [.mean])
        }
    }

    @Test("sequences past max_position_embeddings and unknown layer indices are refused")
    func overlongAndBadLayer() throws {
        let model = try ModelFixture("olmo2").model()
        expectModelError(.invalidInput, containing: ["sequence 0", "max_position_embeddings 64"]) {
            _ = try model.pooledHiddenStates([[Int32](repeating: 3, count: 65)], layers: [0], poolings: [.last])
        }
        expectModelError(.invalidInput, containing: ["hidden state index 4"]) {
            _ = try model.pooledHiddenStates([[3]], layers: [4], poolings: [.last])
        }
    }

    @Test("a tensor with the wrong shape is an error naming the checkpoint and tensor")
    func wrongShape() throws {
        let directory = try rewrittenCheckpoint("olmo2") { tensors in
            tensors.map { $0.name == "model.layers.1.self_attn.k_proj.weight"
                ? (name: $0.name, shape: [32, 32], dtype: $0.dtype, values: $0.values + $0.values) : $0 }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        expectModelError(.shapeMismatch, containing: [directory.path, "model.layers.1.self_attn.k_proj.weight", "[32, 32]", "[16, 32]"]) {
            _ = try TransformerModel.load(CheckpointDirectory(url: directory))
        }
    }

    @Test("a missing tensor is an error naming the checkpoint and tensor")
    func missingTensor() throws {
        let directory = try rewrittenCheckpoint("gpt-neox") { tensors in
            tensors.filter { $0.name != "gpt_neox.layers.2.mlp.dense_4h_to_h.bias" }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        expectModelError(.missingTensor, containing: [directory.path, "gpt_neox.layers.2.mlp.dense_4h_to_h.bias"]) {
            _ = try TransformerModel.load(CheckpointDirectory(url: directory))
        }
    }

    @Test("a rope scaling type that is not implemented is refused by name rather than ignored")
    func ropeScaling() throws {
        let json = #"{"architectures": ["LlamaForCausalLM"], "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 16, "rope_scaling": {"rope_type": "yarn", "factor": 2.0, "rope_theta": 10000}}"#
        #expect(throws: CheckpointError(.malformedConfig,
            "config.json: rope_scaling type yarn is not supported; supported: default, linear, llama3")) {
            try ModelConfig(json: Data(json.utf8), source: "config.json")
        }
    }

    /// A copy of fixture `name` whose model.safetensors has gone through `change`.
    private func rewrittenCheckpoint(_ name: String,
                                     _ change: ([SafetensorsWriter.Tensor]) -> [SafetensorsWriter.Tensor]) throws -> URL {
        let source = modelFixtures.appendingPathComponent(name)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"),
                                         to: directory.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(url: source.appendingPathComponent("model.safetensors"))
        let tensors: [SafetensorsWriter.Tensor] = try file.tensorNames.map { tensorName in
            let (shape, values) = try file.tensor(tensorName)
            return (name: tensorName, shape: shape, dtype: .f32, values: values)
        }
        try SafetensorsWriter.write(tensors: change(tensors), to: directory.appendingPathComponent("model.safetensors"))
        return directory
    }
}
