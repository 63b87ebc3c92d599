import Checkpoints
import Foundation

/// Reads a checkpoint's tensors into `BlockWeights`, checking every shape against the
/// config before reading, so a wrong file is an error naming the directory and tensor.
struct WeightLoader {
    let checkpoint: CheckpointDirectory
    let config: ModelConfig

    private var place: String { "checkpoint \(checkpoint.url.path)" }

    /// The tensor `name` as Float32, after checking it has `shape`.
    func tensor(_ name: String, shape: [Int]) throws(ModelError) -> [Float] {
        let info: TensorInfo
        do throws(CheckpointError) {
            info = try checkpoint.tensorInfo(name)
        } catch {
            if error.code == .tensorNotFound {
                throw ModelError(.missingTensor,
                    "\(place): tensor \(name) is missing; a \(config.architecture.rawValue) with this config needs it")
            }
            throw ModelError(.checkpoint, "\(place): \(error.message)")
        }
        guard info.shape == shape else {
            throw ModelError(.shapeMismatch,
                "\(place): tensor \(name) has shape \(info.shape), but config.json (hidden_size \(config.hiddenSize), "
                + "\(config.headCount) heads of head_dim \(config.headDimension), \(config.keyValueHeadCount) key/value heads, intermediate_size \(config.intermediateSize), vocab_size \(config.vocabSize)) "
                + "implies \(shape)")
        }
        do throws(CheckpointError) {
            return try checkpoint.tensor(name).values
        } catch {
            throw ModelError(.checkpoint, "\(place): tensor \(name): \(error.message)")
        }
    }

    func linear(_ prefix: String, out: Int, in inFeatures: Int, bias: Bool) throws(ModelError) -> Linear {
        let weight = try tensor("\(prefix).weight", shape: [out, inFeatures])
        let b = bias ? try tensor("\(prefix).bias", shape: [out]) : nil
        return Linear(weight: weight, bias: b, inFeatures: inFeatures, outFeatures: out)
    }

    func layerNorm(_ prefix: String) throws(ModelError) -> Norm {
        let d = config.hiddenSize
        return .layerNorm(weight: try tensor("\(prefix).weight", shape: [d]),
                          bias: try tensor("\(prefix).bias", shape: [d]), epsilon: Float(config.normEpsilon))
    }

    func rmsNorm(_ name: String, width: Int) throws(ModelError) -> Norm {
        .rms(weight: try tensor(name, shape: [width]), epsilon: Float(config.normEpsilon))
    }

    /// The q/k/v layout of this architecture.
    var layout: QKVLayout {
        QKVLayout(headDimension: config.headDimension, heads: config.headCount,
                  keyValueHeads: config.keyValueHeadCount, perHeadInterleaved: config.architecture == .gptNeoX)
    }

    /// Block `layer`'s weights.
    func block(_ layer: Int) throws(ModelError) -> BlockWeights {
        let d = config.hiddenSize, inner = config.intermediateSize
        switch config.architecture {
        case .gptNeoX:
            let p = "gpt_neox.layers.\(layer)", bias = config.attentionBias
            return BlockWeights(
                inputNorm: try layerNorm("\(p).input_layernorm"),
                preMLPNorm: try layerNorm("\(p).post_attention_layernorm"),
                qkv: try linear("\(p).attention.query_key_value", out: 3 * d, in: d, bias: bias),
                output: try linear("\(p).attention.dense", out: d, in: d, bias: bias),
                mlpIn: try linear("\(p).mlp.dense_h_to_4h", out: inner, in: d, bias: true),
                mlpOut: try linear("\(p).mlp.dense_4h_to_h", out: d, in: inner, bias: true))
        case .olmo, .olmo2, .llama, .qwen2, .mistral:
            let p = "model.layers.\(layer)", bias = config.attentionBias, mlpBias = config.mlpBias
            let kv = config.keyValueHeadCount * config.headDimension, qWidth = config.attentionWidth
            let q = try linear("\(p).self_attn.q_proj", out: qWidth, in: d, bias: bias)
            let k = try linear("\(p).self_attn.k_proj", out: kv, in: d, bias: bias)
            let v = try linear("\(p).self_attn.v_proj", out: kv, in: d, bias: bias)
            let gate = try linear("\(p).mlp.gate_proj", out: inner, in: d, bias: mlpBias)
            let up = try linear("\(p).mlp.up_proj", out: inner, in: d, bias: mlpBias)
            var block = BlockWeights(
                qkv: Linear.stacked([q, k, v]),
                output: try linear("\(p).self_attn.o_proj", out: d, in: qWidth, bias: config.attentionOutputBias),
                mlpIn: Linear.stacked([gate, up]),
                mlpOut: try linear("\(p).mlp.down_proj", out: d, in: inner, bias: mlpBias))
            if config.architecture.isLlamaLike {
                block.inputNorm = try rmsNorm("\(p).input_layernorm.weight", width: d)
                block.preMLPNorm = try rmsNorm("\(p).post_attention_layernorm.weight", width: d)
            } else if config.architecture == .olmo {
                block.inputNorm = .nonParametric(epsilon: Float(config.normEpsilon))
                block.preMLPNorm = .nonParametric(epsilon: Float(config.normEpsilon))
            } else {
                block.queryNorm = try rmsNorm("\(p).self_attn.q_norm.weight", width: qWidth)
                block.keyNorm = try rmsNorm("\(p).self_attn.k_norm.weight", width: kv)
                block.postAttentionNorm = try rmsNorm("\(p).post_attention_layernorm.weight", width: d)
                block.postMLPNorm = try rmsNorm("\(p).post_feedforward_layernorm.weight", width: d)
            }
            return block
        }
    }

    /// The norm after the last block.
    func finalNorm() throws(ModelError) -> Norm {
        switch config.architecture {
        case .gptNeoX: try layerNorm("gpt_neox.final_layer_norm")
        case .olmo: .nonParametric(epsilon: Float(config.normEpsilon))
        case .olmo2, .llama, .qwen2, .mistral: try rmsNorm("model.norm.weight", width: config.hiddenSize)
        }
    }
}

extension BlockWeights {
    /// A block with only the parts every family has; the loader fills in the rest.
    init(qkv: Linear, output: Linear, mlpIn: Linear, mlpOut: Linear) {
        self.init(inputNorm: nil, preMLPNorm: nil, qkv: qkv, queryNorm: nil, keyNorm: nil, output: output,
                  postAttentionNorm: nil, postMLPNorm: nil, mlpIn: mlpIn, mlpOut: mlpOut)
    }

    init(inputNorm: Norm, preMLPNorm: Norm, qkv: Linear, output: Linear, mlpIn: Linear, mlpOut: Linear) {
        self.init(inputNorm: inputNorm, preMLPNorm: preMLPNorm, qkv: qkv, queryNorm: nil, keyNorm: nil,
                  output: output, postAttentionNorm: nil, postMLPNorm: nil, mlpIn: mlpIn, mlpOut: mlpOut)
    }
}
