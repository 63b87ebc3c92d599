/// The fields only the Llama-like classes (Llama, Qwen2, Mistral) read.
extension ModelConfig {
    /// Sets head_dim, the biases and the sliding window the way each class's
    /// configuration does in transformers 5, once every other field has its value.
    mutating func readLlamaFamily(_ fields: ConfigFields, rope: RopeFields, source: String) throws(CheckpointError) {
        if let explicit = try fields.optionalPositiveInt("head_dim", limit: ModelLimits.headDimension) {
            headDimension = explicit
        } else if hiddenSize % headCount != 0 {
            throw CheckpointError(.malformedConfig,
                "\(source): hidden_size \(hiddenSize) is not divisible by num_attention_heads \(headCount) and head_dim is not given")
        }
        if let factor = rope.partialRotaryFactor, factor != 1 {
            throw CheckpointError(.malformedConfig,
                "\(source): partial_rotary_factor \(factor) is not supported for \(architecture.rawValue) (whole heads rotate)")
        }
        switch architecture {
        case .llama:
            attentionBias = try fields.bool("attention_bias") ?? false
            attentionOutputBias = attentionBias
            mlpBias = try fields.bool("mlp_bias") ?? false
        case .qwen2:
            attentionBias = true
            // Qwen2Config drops the window unless use_sliding_window is set; layer_types, when
            // written, says which layers use it, else layers from max_window_layers on do.
            guard try fields.bool("use_sliding_window") ?? false, let window = try slidingWindowSize(fields) else { break }
            slidingWindow = window
            if let types = try fields.strings("layer_types") {
                slidingWindowLayers = .listed(try Self.windowedLayers(types, count: layerCount, source: source))
            } else {
                let first = try fields.nonNegativeInt("max_window_layers", default: 28)
                slidingWindowLayers = .from(first)
            }
        case .mistral:
            // MistralModel applies `sliding_window` to every layer (layer_types is ignored).
            slidingWindow = try slidingWindowSize(fields)
            slidingWindowLayers = slidingWindow == nil ? .none : .from(0)
        case .gptNeoX, .olmo, .olmo2:
            break
        }
    }

    /// `sliding_window`: 4096 when the key is left out (both classes' default), nil when null.
    private func slidingWindowSize(_ fields: ConfigFields) throws(CheckpointError) -> Int? {
        fields.contains("sliding_window") ? try fields.optionalPositiveInt("sliding_window", limit: ModelLimits.positions) : 4096
    }

    private static func windowedLayers(_ types: [String], count: Int, source: String) throws(CheckpointError) -> Set<Int> {
        guard types.count == count else {
            throw CheckpointError(.malformedConfig,
                "\(source): layer_types lists \(types.count) layers but num_hidden_layers is \(count)")
        }
        var windowed: Set<Int> = []
        for (layer, type) in types.enumerated() {
            switch type {
            case "full_attention": break
            case "sliding_attention": windowed.insert(layer)
            default:
                throw CheckpointError(.malformedConfig,
                    "\(source): layer_types[\(layer)] is \(type); supported: full_attention, sliding_attention")
            }
        }
        return windowed
    }
}
