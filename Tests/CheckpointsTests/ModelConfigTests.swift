import Foundation
import Testing
@testable import Checkpoints

@Suite struct ModelConfigTests {
    @Test func gptNeoXWithDefaults() throws {
        let config = try ModelConfig(json: Data(#"""
            {"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 512, "num_hidden_layers": 6,
             "num_attention_heads": 8, "intermediate_size": 2048, "vocab_size": 50304}
            """#.utf8), source: "config.json")
        #expect(config.architecture == .gptNeoX)
        #expect(config.headDimension == 64 && config.keyValueHeadCount == 8)
        #expect(config.maxPositions == 2048 && config.rotaryFraction == 0.25 && config.rotaryBase == 10_000)
        #expect(config.normEpsilon == 1e-5 && config.useParallelResidual && config.hiddenActivation == "gelu")
    }

    /// Oracle: allenai/OLMo-2-0425-1B's config.json (the fields Spectra reads).
    @Test func olmo2() throws {
        let config = try ModelConfig(json: Data(#"""
            {"architectures": ["Olmo2ForCausalLM"], "hidden_size": 2048, "num_hidden_layers": 16,
             "num_attention_heads": 16, "num_key_value_heads": 16, "intermediate_size": 8192,
             "vocab_size": 100352, "max_position_embeddings": 4096, "rope_theta": 500000,
             "rms_norm_eps": 1e-06, "hidden_act": "silu", "attention_bias": false, "tie_word_embeddings": false}
            """#.utf8), source: "config.json")
        #expect(config.architecture == .olmo2 && config.rotaryBase == 500_000 && config.normEpsilon == 1e-6)
        #expect(config.rotaryFraction == 1 && !config.useParallelResidual && config.maxPositions == 4096)
    }

    @Test func olmoFromModelTypeWhenArchitecturesAbsent() throws {
        let config = try ModelConfig(json: Data(#"""
            {"model_type": "olmo", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100, "clip_qkv": 8.0}
            """#.utf8), source: "config.json")
        #expect(config.architecture == .olmo && config.keyValueHeadCount == 2 && config.clipQKV == 8)
    }

    @Test func missingConfigNamesTheDirectory() throws {
        try withTemporaryDirectory { dir in
            expectCheckpointError(.missingConfig, "checkpoint \(dir.path): no config.json in the directory") {
                _ = try ModelConfig.load(directory: dir)
            }
        }
    }

    @Test func unknownArchitectureNamesItAndTheFile() throws {
        try withTemporaryDirectory { dir in
            let url = try write(neoXConfig(architecture: "MambaForCausalLM"), to: dir, "config.json")
            expectCheckpointError(.unsupportedArchitecture,
                "\(url.path): architecture MambaForCausalLM is not supported (known: GPTNeoXForCausalLM, "
                + "OlmoForCausalLM, Olmo2ForCausalLM, LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM)") {
                _ = try ModelConfig.load(directory: dir)
            }
        }
    }

    @Test func missingRequiredField() {
        expectCheckpointError(.malformedConfig, "c.json: required field vocab_size is missing") {
            _ = try ModelConfig(json: Data(#"""
                {"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 8, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "intermediate_size": 32}
                """#.utf8), source: "c.json")
        }
    }

    @Test func wrongFieldType() {
        expectCheckpointError(.malformedConfig, "c.json: hidden_size is \"64\", not a positive integer") {
            _ = try ModelConfig(json: Data(neoXConfig().replacingOccurrences(of: "\"hidden_size\": 8",
                                                                             with: "\"hidden_size\": \"64\"").utf8),
                                source: "c.json")
        }
    }

    @Test func headsMustDivideHiddenSize() {
        expectCheckpointError(.malformedConfig, "c.json: hidden_size 9 is not divisible by num_attention_heads 2") {
            _ = try ModelConfig(json: Data(neoXConfig(hidden: 9).utf8), source: "c.json")
        }
    }

    @Test func notJSON() {
        expectCheckpointError(.malformedConfig, "c.json: not valid JSON: ", prefixOnly: true) {
            _ = try ModelConfig(json: Data("{hidden_size: 8}".utf8), source: "c.json")
        }
    }

    @Test func weightNamesAndLabels() {
        #expect(Architecture.gptNeoX.weightMatrixNames(layer: 3) == [
            "gpt_neox.layers.3.attention.query_key_value.weight",
            "gpt_neox.layers.3.attention.dense.weight",
            "gpt_neox.layers.3.mlp.dense_h_to_4h.weight",
            "gpt_neox.layers.3.mlp.dense_4h_to_h.weight",
        ])
        #expect(Architecture.gptNeoX.weightMatrices(layer: 0).map(\.label) == ["attn.qkv", "attn.out", "mlp.in", "mlp.out"])
        for arch in [Architecture.olmo, .olmo2] {
            #expect(arch.weightMatrixNames(layer: 1) == [
                "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.k_proj.weight",
                "model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight",
                "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight",
                "model.layers.1.mlp.down_proj.weight",
            ])
            #expect(arch.weightMatrices(layer: 1).map(\.label)
                    == ["attn.q", "attn.k", "attn.v", "attn.out", "mlp.gate", "mlp.in", "mlp.out"])
        }
        #expect(Architecture.olmo.label(forWeight: "model.layers.2.mlp.down_proj.weight", layer: 2) == "mlp.out")
        #expect(Architecture.olmo.label(forWeight: "model.layers.2.mlp.down_proj.weight", layer: 3) == nil)
    }

    @Test func transformers5RopeParameters() throws {
        // transformers 5 writes rotary settings under rope_parameters, not at the top level.
        let neox = try ModelConfig(json: Data(#"""
            {"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 32, "num_hidden_layers": 1,
             "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 16,
             "rope_parameters": {"partial_rotary_factor": 0.5, "rope_theta": 20000, "rope_type": "default"}}
            """#.utf8), source: "c.json")
        #expect(neox.rotaryFraction == 0.5 && neox.rotaryBase == 20_000)
        let olmo2 = try ModelConfig(json: Data(#"""
            {"architectures": ["Olmo2ForCausalLM"], "hidden_size": 32, "num_hidden_layers": 1,
             "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 16,
             "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"}, "rope_scaling": null}
            """#.utf8), source: "c.json")
        #expect(olmo2.rotaryBase == 500_000)
        #expect(throws: CheckpointError.self) {
            _ = try ModelConfig(json: Data(#"""
                {"architectures": ["OlmoForCausalLM"], "hidden_size": 32, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 16,
                 "rope_scaling": {"type": "dynamic", "factor": 2.0}}
                """#.utf8), source: "c.json")
        }
    }
}
