import Foundation
import SpectraBase

/// The hyperparameters of a checkpoint, read from its Hugging Face `config.json`.
///
/// Fields the file leaves out take the defaults of the Hugging Face class it names, so a
/// config that loads in `transformers` loads here with the same meaning.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: Architecture
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    /// Grouped-query heads; equal to `headCount` for GPT-NeoX and when the file omits it.
    public var keyValueHeadCount: Int
    public var intermediateSize: Int
    public var vocabSize: Int
    public var maxPositions: Int
    /// Fraction of each head's dimensions that get rotary embeddings (GPT-NeoX `rotary_pct`).
    public var rotaryFraction: Double
    /// Rotary base θ (`rotary_emb_base` or `rope_theta`).
    public var rotaryBase: Double
    /// LayerNorm / RMSNorm epsilon.
    public var normEpsilon: Double
    public var hiddenActivation: String
    public var tieWordEmbeddings: Bool
    /// GPT-NeoX: attention and MLP read the same block input (Pythia: true).
    public var useParallelResidual: Bool
    /// Biases on the q, k and v projections.
    public var attentionBias: Bool
    /// A bias on the attention output projection (Llama and OLMo: with `attention_bias`;
    /// Qwen2 has q/k/v biases but none here).
    public var attentionOutputBias: Bool
    /// Biases on the gate, up and down projections (Llama's `mlp_bias`).
    public var mlpBias: Bool
    /// How the rotary frequencies are rescaled (`rope_scaling` / `rope_parameters`).
    public var ropeScaling: RopeScaling
    /// Mistral's and Qwen2's sliding window: a token attends to itself and the
    /// `slidingWindow − 1` tokens before it, in the layers of `slidingWindowLayers`.
    public var slidingWindow: Int?
    public var slidingWindowLayers: WindowedLayers
    /// OLMo's clamp on q, k, v activations, when set.
    public var clipQKV: Double?
    /// The storage type the checkpoint was saved in, as config.json says ("float16").
    public var torchDType: String?

    /// Dimensions per attention head: `head_dim` where the class reads it, else hidden / heads.
    public var headDimension: Int

    /// Columns of all query heads together (heads × head_dim), the attention output's width.
    public var attentionWidth: Int { headCount * headDimension }

    /// The window block `layer` attends within, or nil for full causal attention.
    public func attentionWindow(layer: Int) -> Int? {
        slidingWindowLayers.contains(layer) ? slidingWindow : nil
    }

    /// Reads `directory/config.json`; a missing file is an error naming the directory.
    public static func load(directory: URL) throws(CheckpointError) -> ModelConfig {
        let url = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(.missingConfig,
                "checkpoint \(directory.path): no config.json in the directory")
        }
        let data: Data
        do {
            data = try FileAccess.read(url.path)
        } catch {
            throw CheckpointError(error)
        }
        return try ModelConfig(json: data, source: url.path)
    }

    /// Parses config.json contents; `source` names the file in error messages.
    public init(json data: Data, source: String) throws(CheckpointError) {
        let root: [String: JSONValue]
        do {
            guard let object = try JSONValue.parse(data).objectValue else {
                throw CheckpointError(.malformedConfig, "\(source): config is not a JSON object")
            }
            root = object
        } catch let error as JSONValueError {
            throw CheckpointError(.malformedConfig, "\(source): not valid JSON: \(error.reason)")
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(.malformedConfig, "\(source): \(error)")
        }
        let fields = ConfigFields(root: root, source: source)
        architecture = try Self.architecture(root, source: source)
        hiddenSize = try fields.positiveInt("hidden_size", limit: ModelLimits.hiddenSize)
        layerCount = try fields.positiveInt("num_hidden_layers", limit: ModelLimits.layerCount)
        headCount = try fields.positiveInt("num_attention_heads", limit: ModelLimits.headCount)
        intermediateSize = try fields.positiveInt("intermediate_size", limit: ModelLimits.intermediateSize)
        vocabSize = try fields.positiveInt("vocab_size", limit: ModelLimits.vocabularySize)
        maxPositions = try fields.positiveInt("max_position_embeddings", default: Self.defaultMaxPositions(architecture),
                                          limit: ModelLimits.positions)
        // transformers 5 writes rotary settings into a `rope_parameters` object; 4.x wrote
        // them at the top level and scaling under `rope_scaling`. All are read.
        let rope = try RopeFields(root: root, source: source, maxPositions: maxPositions)
        ropeScaling = rope.scaling
        headDimension = hiddenSize / headCount
        attentionBias = false
        attentionOutputBias = false
        mlpBias = false
        slidingWindow = nil
        slidingWindowLayers = .none
        torchDType = try fields.string("torch_dtype")
        clipQKV = try fields.double("clip_qkv")
        tieWordEmbeddings = try fields.bool("tie_word_embeddings") ?? false

        switch architecture {
        case .gptNeoX:
            keyValueHeadCount = headCount
            rotaryFraction = try fields.double("rotary_pct") ?? rope.partialRotaryFactor ?? 0.25
            rotaryBase = try fields.positiveDouble("rotary_emb_base") ?? rope.theta ?? 10_000
            normEpsilon = try fields.double("layer_norm_eps") ?? 1e-5
            hiddenActivation = try fields.string("hidden_act") ?? "gelu"
            useParallelResidual = try fields.bool("use_parallel_residual") ?? true
            attentionBias = try fields.bool("attention_bias") ?? true
            attentionOutputBias = attentionBias
        case .olmo, .olmo2:
            keyValueHeadCount = try fields.positiveInt("num_key_value_heads", default: headCount, limit: ModelLimits.headCount)
            rotaryFraction = 1
            rotaryBase = rope.theta ?? 10_000
            // OLMo's non-parametric LayerNorm has a fixed eps the config does not carry.
            let rmsEpsilon = try fields.double("rms_norm_eps")
            normEpsilon = architecture == .olmo ? 1e-5 : rmsEpsilon ?? 1e-6
            hiddenActivation = try fields.string("hidden_act") ?? "silu"
            useParallelResidual = false
            attentionBias = try fields.bool("attention_bias") ?? false
            attentionOutputBias = attentionBias
        case .llama, .qwen2, .mistral:
            keyValueHeadCount = try fields.positiveInt("num_key_value_heads", default: headCount, limit: ModelLimits.headCount)
            rotaryFraction = 1
            rotaryBase = rope.theta ?? 10_000
            normEpsilon = try fields.double("rms_norm_eps") ?? 1e-6
            hiddenActivation = try fields.string("hidden_act") ?? "silu"
            useParallelResidual = false
            try readLlamaFamily(fields, rope: rope, source: source)
        }

        guard architecture.isLlamaLike || hiddenSize % headCount == 0 else {
            throw CheckpointError(.malformedConfig,
                "\(source): hidden_size \(hiddenSize) is not divisible by num_attention_heads \(headCount)")
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw CheckpointError(.malformedConfig,
                "\(source): num_attention_heads \(headCount) is not a multiple of num_key_value_heads \(keyValueHeadCount)")
        }
        guard rotaryFraction > 0, rotaryFraction <= 1 else {
            throw CheckpointError(.malformedConfig, "\(source): rotary_pct \(rotaryFraction) is not in (0, 1]")
        }
        // The fused q/k/v row is (heads + 2 · kv heads) · head_dim wide; it must be a
        // representable size before anything is allocated from it.
        let (kv, o1) = keyValueHeadCount.multipliedReportingOverflow(by: 2)
        let (heads, o2) = headCount.addingReportingOverflow(kv)
        let (_, o3) = heads.multipliedReportingOverflow(by: headDimension)
        guard !(o1 || o2 || o3) else {
            throw CheckpointError(.malformedConfig,
                "\(source): \(headCount) heads and \(keyValueHeadCount) key/value heads of head_dim \(headDimension) overflow")
        }
    }

    /// transformers' `max_position_embeddings` default for each class.
    private static func defaultMaxPositions(_ architecture: Architecture) -> Int {
        switch architecture {
        case .gptNeoX, .olmo, .olmo2, .llama: 2048
        case .qwen2: 32_768
        case .mistral: 131_072
        }
    }

    /// The class from `architectures`, or from `model_type` when that list is absent.
    private static func architecture(_ root: [String: JSONValue],
                                     source: String) throws(CheckpointError) -> Architecture {
        let known = Architecture.allCases.map(\.rawValue).joined(separator: ", ")
        if let listed = root["architectures"] {
            let names = listed.arrayValue?.compactMap(\.stringValue) ?? []
            if let match = names.lazy.compactMap(Architecture.init(rawValue:)).first { return match }
            throw CheckpointError(.unsupportedArchitecture,
                "\(source): architecture \(names.isEmpty ? listed.brief : names.joined(separator: ", ")) "
                + "is not supported (known: \(known))")
        }
        if let type = root["model_type"]?.stringValue {
            if let match = Architecture.allCases.first(where: { $0.modelType == type }) { return match }
            throw CheckpointError(.unsupportedArchitecture,
                "\(source): model_type \(type) is not supported (known: \(known))")
        }
        throw CheckpointError(.malformedConfig,
            "\(source): neither \"architectures\" nor \"model_type\" says which model this is")
    }
}
