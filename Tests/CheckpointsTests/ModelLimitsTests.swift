import Foundation
import SpectraTestSupport
import Testing
@testable import Checkpoints

/// Every model dimension a config.json gives is bounded (ModelLimits) before anything is
/// computed from it, with the field, the value and the limit in the message.
@Suite struct ModelLimitsTests {
    /// A valid Llama config with `field` set to `value` (as JSON text).
    private func llama(_ field: String, _ value: String) -> Data {
        var fields: [String: String] = [
            "hidden_size": "64", "num_hidden_layers": "2", "num_attention_heads": "4", "num_key_value_heads": "2",
            "intermediate_size": "128", "vocab_size": "100", "max_position_embeddings": "64", "head_dim": "16",
        ]
        fields[field] = value
        let body = fields.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return Data(#"{"architectures": ["LlamaForCausalLM"], \#(body)}"#.utf8)
    }

    @Test(arguments: [
        ("hidden_size", ModelLimits.hiddenSize), ("num_hidden_layers", ModelLimits.layerCount),
        ("num_attention_heads", ModelLimits.headCount), ("num_key_value_heads", ModelLimits.headCount),
        ("intermediate_size", ModelLimits.intermediateSize), ("vocab_size", ModelLimits.vocabularySize),
        ("max_position_embeddings", ModelLimits.positions), ("head_dim", ModelLimits.headDimension),
    ])
    func fieldAboveItsLimit(field: String, limit: Int) {
        expectCheckpointError(.malformedConfig,
            "config.json: \(field) is \(limit + 1), more than Spectra's limit of \(limit) (see docs/limits.md)") {
            _ = try ModelConfig(json: llama(field, "\(limit + 1)"), source: "config.json")
        }
    }

    @Test func theLimitsThemselvesAreAccepted() throws {
        let config = try ModelConfig(json: llama("num_hidden_layers", "\(ModelLimits.layerCount)"), source: "c")
        #expect(config.layerCount == ModelLimits.layerCount)
        let wide = try ModelConfig(json: llama("vocab_size", "\(ModelLimits.vocabularySize)"), source: "c")
        #expect(wide.vocabSize == ModelLimits.vocabularySize)
    }

    @Test func intMaxLayers() {
        expectCheckpointError(.malformedConfig,
            "c: num_hidden_layers is \(Int.max), more than Spectra's limit of 4096 (see docs/limits.md)") {
            _ = try ModelConfig(json: llama("num_hidden_layers", "\(Int.max)"), source: "c")
        }
    }

    @Test func ropeFieldsAreBounded() {
        expectCheckpointError(.malformedConfig, "c: rope_theta is -5.0, not a positive finite number") {
            _ = try ModelConfig(json: llama("rope_theta", "-5"), source: "c")
        }
        expectCheckpointError(.malformedConfig,
            "c rope_scaling: original_max_position_embeddings is \(1 << 40), more than Spectra's limit of \(ModelLimits.positions) (see docs/limits.md)") {
            _ = try ModelConfig(json: llama("rope_scaling", #"{"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": \#(1 << 40)}"#), source: "c")
        }
    }

    /// A stride-0 view of 2^31 − 1 elements over a one-element storage passed the reach check
    /// (it never leaves element 0) and then sized an 8 GB Float32 array.
    @Test func torchBroadcastViewLargerThanItsStorage() {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "0", numel: 1, shape: [0x7fff_ffff], strides: [0]) })])
        let data = torchArchive(pickle: pickle, storages: [("0", [UInt8](repeating: 0, count: 4))])
        expectCheckpointError(.sizeMismatch,
            "t: tensor w: shape [2147483647] with strides [0] has 2147483647 elements, more than the 1 of its storage 0 "
            + "(broadcast views are read up to 16777216 elements)") {
            _ = try data.withUnsafeBytes { raw throws(CheckpointError) in try TorchArchive(raw, context: "t") }
        }
    }
}
