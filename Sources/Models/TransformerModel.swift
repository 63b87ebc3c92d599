import Checkpoints
import Foundation
import LinearAlgebra

/// A GPT-NeoX (Pythia), OLMo, OLMo-2, Llama, Qwen2 or Mistral decoder in Float32 whose
/// forward pass yields the hidden states of Hugging Face's `output_hidden_states` (index 0
/// the embeddings, index L after the final norm), pooled per sequence as they are
/// computed. No LM head is loaded.
public final class TransformerModel: Sendable {
    public let config: ModelConfig
    /// How messages name the checkpoint: its directory path.
    let name: String
    /// vocab × hidden, row-major.
    let embedding: [Float]
    let blocks: [BlockWeights]
    let finalNorm: Norm
    let activation: Activation
    let layout: QKVLayout
    /// Leading dimensions of each head that rotate (GPT-NeoX: head_dim × rotary_pct).
    let rotaryDimensions: Int

    /// Hidden states per sequence: the embeddings plus one per block.
    public var hiddenStateCount: Int { config.layerCount + 1 }

    init(config: ModelConfig, name: String, embedding: [Float], blocks: [BlockWeights], finalNorm: Norm,
         activation: Activation, rotaryDimensions: Int) {
        self.config = config
        self.name = name
        self.embedding = embedding
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.activation = activation
        self.rotaryDimensions = rotaryDimensions
        layout = QKVLayout(headDimension: config.headDimension, heads: config.headCount,
                           keyValueHeads: config.keyValueHeadCount, perHeadInterleaved: config.architecture == .gptNeoX)
    }

    /// Reads every weight the forward pass needs (not the LM head), checking each shape
    /// against the config; errors name the checkpoint directory and the tensor.
    public static func load(_ checkpoint: CheckpointDirectory) throws -> TransformerModel {
        let config = checkpoint.config, name = "checkpoint \(checkpoint.url.path)"
        guard let activation = Activation(configName: config.hiddenActivation),
              (activation == .silu) == (config.architecture != .gptNeoX) else {
            throw ModelError(.unsupported,
                "\(name): hidden_act \(config.hiddenActivation) is not supported for \(config.architecture.rawValue) "
                + "(GPT-NeoX: gelu, gelu_new, gelu_fast; OLMo, Llama, Qwen2, Mistral: silu)")
        }
        let rotary = config.architecture == .gptNeoX
            ? Int(Double(config.headDimension) * config.rotaryFraction) : config.headDimension
        guard rotary % 2 == 0 else {
            throw ModelError(.unsupported,
                "\(name): head_dim \(config.headDimension) × rotary fraction \(config.rotaryFraction) gives \(rotary) rotary dimensions; an odd count cannot be rotated in pairs")
        }
        let loader = WeightLoader(checkpoint: checkpoint, config: config)
        let embedding = try loader.tensor(config.architecture.inputEmbeddingName,
                                          shape: [config.vocabSize, config.hiddenSize])
        var blocks: [BlockWeights] = []
        for layer in 0..<config.layerCount { blocks.append(try loader.block(layer)) }
        return TransformerModel(config: config, name: name, embedding: embedding, blocks: blocks,
                                finalNorm: try loader.finalNorm(), activation: activation, rotaryDimensions: rotary)
    }

    /// For one batch of token sequences (unequal lengths allowed, each non-empty), the pooled hidden states:
    /// result[pooling][layerIndex] is a Matrix<Float> of batch.count × hiddenSize.
    ///
    /// `layers` are hidden-state indices (0…layerCount). Blocks past the largest requested
    /// index are not run. Sequences longer than max_position_embeddings are refused: the
    /// caller truncates.
    public func pooledHiddenStates(_ batch: [[Int32]], layers: [Int], poolings: [Pooling]) throws
        -> [Pooling: [Int: Matrix<Float>]] {
        try pooledHiddenStates(batch, layers: layers, poolings: poolings, scoreCapacity: Attention.scoreCapacity)
    }

    /// As above, with the attention score buffer capped at `scoreCapacity` Floats (tests
    /// use a small cap to take the heads-a-few-at-a-time path on short sequences).
    func pooledHiddenStates(_ batch: [[Int32]], layers: [Int], poolings: [Pooling], scoreCapacity: Int) throws
        -> [Pooling: [Int: Matrix<Float>]] {
        try validate(batch, layers: layers)
        let wanted = Set(layers)
        var pooler = HiddenStatePooler(batch: batch, hiddenSize: config.hiddenSize,
                                       layers: wanted, poolings: Set(poolings))
        guard let deepest = wanted.max(), !batch.isEmpty else { return pooler.result }

        let packed = PackedBatch(batch)
        let workspace = Workspace(
            tokens: packed.tokenCount, hidden: config.hiddenSize, qkvWidth: layout.width,
            attentionWidth: config.attentionWidth,
            mlpWidth: blocks.first?.mlpIn.outFeatures ?? 0,
            intermediate: activation == .silu ? config.intermediateSize : 0,
            heads: config.headCount, longest: packed.longest, scoreCapacity: scoreCapacity)
        embed(packed, into: workspace.hidden)
        let rotary = RotaryTable(dimensions: rotaryDimensions, base: config.rotaryBase, scaling: config.ropeScaling,
                                 length: packed.longest)
        if wanted.contains(0) { pooler.record(0, workspace.hidden, packed) }
        for layer in 0..<min(deepest, config.layerCount) {
            runBlock(blocks[layer], window: config.attentionWindow(layer: layer), packed, rotary, workspace)
            let index = layer + 1
            guard wanted.contains(index) else { continue }
            if index == config.layerCount {
                // HF's last hidden state is after the final norm.
                let d = config.hiddenSize
                finalNorm.apply(workspace.hidden, ldx: d, rows: packed.tokenCount, width: d,
                                into: workspace.normed, ldy: d)
                pooler.record(index, workspace.normed, packed)
            } else {
                pooler.record(index, workspace.hidden, packed)
            }
        }
        return pooler.result
    }

    /// Empty sequences, out-of-vocabulary ids, overlong sequences and unknown layer
    /// indices are errors naming the sequence (0-based, as in the batch) or index.
    private func validate(_ batch: [[Int32]], layers: [Int]) throws(ModelError) {
        if let bad = layers.first(where: { !(0...config.layerCount).contains($0) }) {
            throw ModelError(.invalidInput,
                "\(name): hidden state index \(bad) does not exist (0 = embeddings … \(config.layerCount) = after the final norm)")
        }
        for (index, sequence) in batch.enumerated() {
            guard !sequence.isEmpty else {
                throw ModelError(.invalidInput, "sequence \(index) of the batch is empty; every sequence needs a token")
            }
            guard sequence.count <= config.maxPositions else {
                throw ModelError(.invalidInput,
                    "sequence \(index) has \(sequence.count) tokens, more than max_position_embeddings \(config.maxPositions); truncate it first")
            }
            if let position = sequence.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
                throw ModelError(.invalidInput,
                    "sequence \(index), position \(position): token id \(sequence[position]) is outside the vocabulary (vocab_size \(config.vocabSize))")
            }
        }
    }

    private func embed(_ packed: PackedBatch, into hidden: UnsafeMutablePointer<Float>) {
        let d = config.hiddenSize
        embedding.withUnsafeBufferPointer { table in
            for (row, token) in packed.tokens.enumerated() {
                (hidden + row * d).update(from: table.baseAddress! + Int(token) * d, count: d)
            }
        }
    }
}
