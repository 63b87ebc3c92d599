/// Which layers a sliding window applies to. A range is kept as its start, so a config's
/// layer count never sizes an allocation here.
public enum WindowedLayers: Sendable, Equatable {
    case none
    /// Every layer from this index on (Mistral: 0; Qwen2: `max_window_layers`).
    case from(Int)
    /// The layers `layer_types` marks `sliding_attention`.
    case listed(Set<Int>)

    public func contains(_ layer: Int) -> Bool {
        switch self {
        case .none: false
        case .from(let first): layer >= first
        case .listed(let layers): layers.contains(layer)
        }
    }
}
