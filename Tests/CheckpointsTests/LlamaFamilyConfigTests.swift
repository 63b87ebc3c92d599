import Foundation
import Testing
@testable import Checkpoints

/// Config parsing for LlamaForCausalLM, Qwen2ForCausalLM and MistralForCausalLM; each
/// default is the one transformers 5.23.0's configuration class applies.
@Suite struct LlamaFamilyConfigTests {
    private func parse(_ json: String) throws -> ModelConfig {
        try ModelConfig(json: Data(json.utf8), source: "c.json")
    }

    /// Oracle: meta-llama/Llama-3.1-8B's config.json (transformers 4.x: `rope_scaling`).
    @Test func llama31() throws {
        let config = try parse(#"""
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "hidden_act": "silu",
             "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 131072,
             "mlp_bias": false, "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
             "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "rope_theta": 500000.0,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 128256}
            """#)
        #expect(config.architecture == .llama && config.headDimension == 128 && config.keyValueHeadCount == 8)
        #expect(config.rotaryBase == 500_000 && config.normEpsilon == 1e-5 && config.maxPositions == 131_072)
        #expect(config.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4,
                                              originalMaxPositions: 8192))
        #expect(!config.attentionBias && !config.mlpBias && config.attentionWindow(layer: 0) == nil)
    }

    @Test func llamaWithExplicitHeadDimAndBiases() throws {
        let config = try parse(#"""
            {"model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 12, "intermediate_size": 48, "vocab_size": 256,
             "attention_bias": true, "mlp_bias": true,
             "rope_parameters": {"rope_type": "linear", "factor": 4.0, "rope_theta": 100.0}}
            """#)
        #expect(config.headDimension == 12 && config.attentionWidth == 48 && config.maxPositions == 2048)
        #expect(config.attentionBias && config.attentionOutputBias && config.mlpBias)
        #expect(config.ropeScaling == .linear(factor: 4) && config.rotaryBase == 100)
    }

    /// Oracle: Qwen/Qwen2.5-0.5B's config.json: a window is written but switched off.
    @Test func qwen2SlidingWindowOffByDefault() throws {
        let config = try parse(#"""
            {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864,
             "max_position_embeddings": 32768, "max_window_layers": 24, "num_attention_heads": 14,
             "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 32768, "tie_word_embeddings": true, "use_sliding_window": false, "vocab_size": 151936}
            """#)
        #expect(config.headDimension == 64 && config.tieWordEmbeddings && config.slidingWindow == nil)
        #expect(config.attentionBias && !config.attentionOutputBias && !config.mlpBias)
        #expect((0..<24).allSatisfy { config.attentionWindow(layer: $0) == nil })
    }

    @Test func qwen2SlidingWindowPerLayer() throws {
        let base = #""architectures": ["Qwen2ForCausalLM"], "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 40, "vocab_size": 128, "use_sliding_window": true, "sliding_window": 5"#
        let derived = try parse("{\(base), \"max_window_layers\": 1}")
        #expect(derived.maxPositions == 32_768)
        #expect((0..<3).map(derived.attentionWindow(layer:)) == [nil, 5, 5])
        let listed = try parse(#"{\#(base), "layer_types": ["sliding_attention", "full_attention", "sliding_attention"]}"#)
        #expect((0..<3).map(listed.attentionWindow(layer:)) == [5, nil, 5])
        #expect(throws: CheckpointError(.malformedConfig,
                                        "c.json: layer_types lists 2 layers but num_hidden_layers is 3")) {
            try parse(#"{\#(base), "layer_types": ["full_attention", "full_attention"]}"#)
        }
        #expect(throws: CheckpointError(.malformedConfig,
            "c.json: layer_types[1] is chunked_attention; supported: full_attention, sliding_attention")) {
            try parse(#"{\#(base), "layer_types": ["full_attention", "chunked_attention", "full_attention"]}"#)
        }
    }

    @Test func mistralWindowDefaultsTo4096AndNullSwitchesItOff() throws {
        let base = #""architectures": ["MistralForCausalLM"], "hidden_size": 36, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 16, "intermediate_size": 40, "vocab_size": 128"#
        let absent = try parse("{\(base)}")
        // head_dim given, so hidden_size need not divide evenly into heads.
        #expect(absent.headDimension == 16 && absent.maxPositions == 131_072 && absent.normEpsilon == 1e-6)
        #expect(absent.attentionWindow(layer: 0) == 4096 && absent.attentionWindow(layer: 1) == 4096)
        let off = try parse(#"{\#(base), "sliding_window": null}"#)
        #expect(off.slidingWindow == nil && off.attentionWindow(layer: 1) == nil)
        #expect(throws: CheckpointError(.malformedConfig, "c.json: sliding_window is 0, not a positive integer")) {
            try parse(#"{\#(base), "sliding_window": 0}"#)
        }
    }

    @Test func headDimensionMissingAndUneven() {
        #expect(throws: CheckpointError(.malformedConfig,
            "c.json: hidden_size 36 is not divisible by num_attention_heads 8 and head_dim is not given")) {
            try parse(#"{"architectures": ["LlamaForCausalLM"], "hidden_size": 36, "num_hidden_layers": 1, "num_attention_heads": 8, "intermediate_size": 8, "vocab_size": 16}"#)
        }
    }

    @Test func ropeSettings() throws {
        let base = #""architectures": ["LlamaForCausalLM"], "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 16, "max_position_embeddings": 4096"#
        // The legacy "type" key; rope_scaling replaces rope_parameters, as in transformers.
        let legacy = try parse(#"{\#(base), "rope_scaling": {"type": "linear", "factor": 2.0}, "rope_parameters": {"rope_type": "default"}}"#)
        #expect(legacy.ropeScaling == .linear(factor: 2))
        // A value inside the object wins over the top level; llama3's original context
        // falls back to max_position_embeddings.
        let llama3 = try parse(#"{\#(base), "rope_theta": 10000, "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000, "factor": 32, "low_freq_factor": 1, "high_freq_factor": 4}}"#)
        #expect(llama3.rotaryBase == 500_000)
        #expect(llama3.ropeScaling == .llama3(factor: 32, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalMaxPositions: 4096))
        // An empty rope_scaling is no scaling.
        #expect(try parse(#"{\#(base), "rope_scaling": {}}"#).ropeScaling == .none)
        #expect(throws: CheckpointError(.malformedConfig,
            "c.json: rope_parameters type dynamic is not supported; supported: default, linear, llama3")) {
            try parse(#"{\#(base), "rope_parameters": {"rope_type": "dynamic", "factor": 2.0}}"#)
        }
        #expect(throws: CheckpointError(.malformedConfig, "c.json rope_parameters: rope type llama3 needs factor")) {
            try parse(#"{\#(base), "rope_parameters": {"rope_type": "llama3", "low_freq_factor": 1, "high_freq_factor": 4}}"#)
        }
        #expect(throws: CheckpointError(.malformedConfig,
            "c.json: rope_scaling llama3 high_freq_factor 1.0 must exceed low_freq_factor 4.0")) {
            try parse(#"{\#(base), "rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 1}}"#)
        }
        #expect(throws: CheckpointError(.malformedConfig,
            "c.json: partial_rotary_factor 0.5 is not supported for LlamaForCausalLM (whole heads rotate)")) {
            try parse(#"{\#(base), "partial_rotary_factor": 0.5}"#)
        }
    }

    @Test func weightLabelsLineUpWithOLMo() {
        for arch in [Architecture.llama, .qwen2, .mistral] {
            #expect(arch.weightMatrices(layer: 2) == Architecture.olmo2.weightMatrices(layer: 2))
            #expect(arch.inputEmbeddingName == "model.embed_tokens.weight" && arch.outputEmbeddingName == "lm_head.weight")
        }
        #expect(Architecture.qwen2.label(forWeight: "model.layers.0.self_attn.k_proj.weight", layer: 0) == "attn.k")
        #expect(Architecture.allCases.filter(\.isLlamaLike) == [.llama, .qwen2, .mistral])
    }
}
