import Foundation

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
    public var attentionBias: Bool
    /// OLMo's clamp on q, k, v activations, when set.
    public var clipQKV: Double?
    /// The storage type the checkpoint was saved in, as config.json says ("float16").
    public var torchDType: String?

    /// Dimensions per attention head.
    public var headDimension: Int { hiddenSize / headCount }

    /// Reads `directory/config.json`; a missing file is an error naming the directory.
    public static func load(directory: URL) throws(CheckpointError) -> ModelConfig {
        let url = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(.missingConfig,
                "checkpoint \(directory.path): no config.json in the directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(.ioFailure, "cannot read \(url.path): \(error.localizedDescription)")
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
        // transformers 5 writes rotary settings into a `rope_parameters` object; 4.x wrote
        // them at the top level. Either is read, the top level winning where both appear.
        let rope = try RopeFields(root: root, source: source)

        architecture = try Self.architecture(root, source: source)
        hiddenSize = try fields.positiveInt("hidden_size")
        layerCount = try fields.positiveInt("num_hidden_layers")
        headCount = try fields.positiveInt("num_attention_heads")
        intermediateSize = try fields.positiveInt("intermediate_size")
        vocabSize = try fields.positiveInt("vocab_size")
        maxPositions = try fields.positiveInt("max_position_embeddings", default: 2048)
        torchDType = try fields.string("torch_dtype")
        clipQKV = try fields.double("clip_qkv")
        tieWordEmbeddings = try fields.bool("tie_word_embeddings") ?? false

        switch architecture {
        case .gptNeoX:
            keyValueHeadCount = headCount
            rotaryFraction = try fields.double("rotary_pct") ?? rope.partialRotaryFactor ?? 0.25
            let legacyBase = try fields.double("rotary_emb_base"), ropeTheta = try fields.double("rope_theta")
            rotaryBase = legacyBase ?? ropeTheta ?? rope.theta ?? 10_000
            normEpsilon = try fields.double("layer_norm_eps") ?? 1e-5
            hiddenActivation = try fields.string("hidden_act") ?? "gelu"
            useParallelResidual = try fields.bool("use_parallel_residual") ?? true
            attentionBias = try fields.bool("attention_bias") ?? true
        case .olmo, .olmo2:
            keyValueHeadCount = try fields.positiveInt("num_key_value_heads", default: headCount)
            rotaryFraction = 1
            rotaryBase = try fields.double("rope_theta") ?? rope.theta ?? 10_000
            // OLMo's non-parametric LayerNorm has a fixed eps the config does not carry.
            let rmsEpsilon = try fields.double("rms_norm_eps")
            normEpsilon = architecture == .olmo ? 1e-5 : rmsEpsilon ?? 1e-6
            hiddenActivation = try fields.string("hidden_act") ?? "silu"
            useParallelResidual = false
            attentionBias = try fields.bool("attention_bias") ?? false
        }

        guard hiddenSize % headCount == 0 else {
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

/// The rotary settings of `rope_parameters` (transformers 5) and the legacy `rope_scaling`.
/// Only plain RoPE is implemented, so any scaling type is refused rather than ignored.
private struct RopeFields {
    var theta: Double?
    var partialRotaryFactor: Double?

    init(root: [String: JSONValue], source: String) throws(CheckpointError) {
        for key in ["rope_scaling", "rope_parameters"] {
            guard let value = root[key], value != .null else { continue }
            guard let object = value.objectValue else {
                throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not an object")
            }
            let nested = ConfigFields(root: object, source: "\(source) \(key)")
            let named = try nested.string("rope_type"), legacy = try nested.string("type")
            let type = named ?? legacy ?? "default"
            guard type == "default" else {
                throw CheckpointError(.malformedConfig,
                    "\(source): \(key) asks for rope type '\(type)'; only plain RoPE ('default') is supported")
            }
            theta = try nested.double("rope_theta") ?? theta
            partialRotaryFactor = try nested.double("partial_rotary_factor") ?? partialRotaryFactor
        }
    }
}

/// Typed field access over a config object, with messages that name the field and file.
private struct ConfigFields {
    let root: [String: JSONValue]
    let source: String

    func positiveInt(_ key: String, default fallback: Int? = nil) throws(CheckpointError) -> Int {
        guard let value = root[key], value != .null else {
            if let fallback { return fallback }
            throw CheckpointError(.malformedConfig, "\(source): required field \(key) is missing")
        }
        guard let int = value.intValue, int > 0 else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a positive integer")
        }
        return int
    }

    func double(_ key: String) throws(CheckpointError) -> Double? {
        guard let value = root[key], value != .null else { return nil }
        guard let number = value.doubleValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a number")
        }
        return number
    }

    func string(_ key: String) throws(CheckpointError) -> String? {
        guard let value = root[key], value != .null else { return nil }
        guard let string = value.stringValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a string")
        }
        return string
    }

    func bool(_ key: String) throws(CheckpointError) -> Bool? {
        guard let value = root[key], value != .null else { return nil }
        guard let bool = value.boolValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not true or false")
        }
        return bool
    }
}
