/// How a checkpoint rescales its rotary frequencies (`rope_type` in transformers).
///
/// Only the types whose frequencies are fixed at load time and whose cos/sin are not
/// rescaled are implemented; any other type is refused by name rather than ignored.
public enum RopeScaling: Sendable, Equatable {
    /// Plain RoPE (`default`).
    case none
    /// Every inverse frequency divided by `factor` (`linear`, position interpolation).
    case linear(factor: Double)
    /// Llama 3.1's banded rescaling (`llama3`): wavelengths under
    /// `originalMaxPositions / highFrequencyFactor` are kept, those over
    /// `originalMaxPositions / lowFrequencyFactor` divided by `factor`, and those between
    /// interpolated smoothly.
    case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalMaxPositions: Int)

    /// The `rope_type` names Spectra implements, in the order messages list them.
    public static let supportedTypes = ["default", "linear", "llama3"]

    /// The `rope_type` name of this scaling.
    public var typeName: String {
        switch self {
        case .none: "default"
        case .linear: "linear"
        case .llama3: "llama3"
        }
    }
}

/// The rotary settings of a config: transformers 5's `rope_parameters` object or the
/// legacy `rope_scaling` one. As in transformers, a non-empty `rope_scaling` replaces
/// `rope_parameters`, and a value inside the object wins over the same key at the top level.
struct RopeFields {
    var theta: Double?
    var partialRotaryFactor: Double?
    var scaling: RopeScaling = .none

    /// `maxPositions` stands in for llama3's `original_max_position_embeddings` when
    /// neither the object nor the top level gives it, as transformers does.
    init(root: [String: JSONValue], source: String, maxPositions: Int) throws(CheckpointError) {
        let top = ConfigFields(root: root, source: source)
        theta = try top.positiveDouble("rope_theta")
        partialRotaryFactor = try top.double("partial_rotary_factor")
        guard let (key, object) = try Self.object(root, source: source) else { return }
        let nested = ConfigFields(root: object, source: "\(source) \(key)")
        if let nestedPerLayer = object.first(where: { $0.value.objectValue != nil })?.key {
            throw CheckpointError(.malformedConfig,
                "\(source): \(key) holds per-layer-type settings (\(nestedPerLayer)); only one set of rotary parameters is supported")
        }
        theta = try nested.positiveDouble("rope_theta") ?? theta
        partialRotaryFactor = try nested.double("partial_rotary_factor") ?? partialRotaryFactor
        let named = try nested.string("rope_type"), legacy = try nested.string("type")
        let type = named ?? legacy ?? "default"
        switch type {
        case "default":
            scaling = .none
        case "linear":
            scaling = .linear(factor: try Self.positive(nested, "factor", type: type))
        case "llama3":
            let low = try Self.positive(nested, "low_freq_factor", type: type)
            let high = try Self.positive(nested, "high_freq_factor", type: type)
            guard high > low else {
                throw CheckpointError(.malformedConfig,
                    "\(source): \(key) llama3 high_freq_factor \(high) must exceed low_freq_factor \(low)")
            }
            let fallback = try top.positiveInt("original_max_position_embeddings", default: maxPositions,
                                                  limit: ModelLimits.positions)
            scaling = .llama3(factor: try Self.positive(nested, "factor", type: type), lowFrequencyFactor: low,
                              highFrequencyFactor: high,
                              originalMaxPositions: try nested.positiveInt("original_max_position_embeddings",
                                                                           default: fallback, limit: ModelLimits.positions))
        default:
            throw CheckpointError(.malformedConfig,
                "\(source): \(key) type \(type) is not supported; supported: "
                + RopeScaling.supportedTypes.joined(separator: ", "))
        }
    }

    /// The object that carries the settings and its key, or nil when there is none.
    private static func object(_ root: [String: JSONValue],
                               source: String) throws(CheckpointError) -> (String, [String: JSONValue])? {
        for key in ["rope_scaling", "rope_parameters"] {
            guard let value = root[key], value != .null else { continue }
            guard let object = value.objectValue else {
                throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not an object")
            }
            if !object.isEmpty { return (key, object) }
        }
        return nil
    }

    private static func positive(_ fields: ConfigFields, _ key: String, type: String) throws(CheckpointError) -> Double {
        guard let value = try fields.double(key) else {
            throw CheckpointError(.malformedConfig, "\(fields.source): rope type \(type) needs \(key)")
        }
        guard value > 0, value.isFinite else {
            throw CheckpointError(.malformedConfig, "\(fields.source): \(key) is \(value), not a positive number")
        }
        return value
    }
}
