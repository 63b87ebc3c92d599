import Checkpoints
import Foundation

/// Which transformer blocks a run covers: `all`, or a list of indices and ranges such as
/// `0,2,4-7` (0-based, inclusive ranges).
public enum LayerSelection: Sendable, Equatable, Codable, CustomStringConvertible {
    case all
    case some([Int])

    /// Parses the `--layers` syntax.
    public init(parsing text: String) throws(PipelineError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "all" { self = .all; return }
        var layers: Set<Int> = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), low >= 0,
                  let high = bounds.count == 2 ? Int(bounds[1]) : low, high >= low else {
                throw PipelineError(.invalidArgument,
                    "--layers: '\(piece)' in '\(text)' is not a layer index or range (use all, or e.g. 0,2,4-7)")
            }
            // Checked before the range is expanded: `0-9223372036854775806` would otherwise
            // allocate a set of that many indices.
            guard high <= ModelLimits.layerCount else {
                throw PipelineError(.invalidArgument,
                    "--layers: '\(piece)' goes past \(ModelLimits.layerCount), the most layers Spectra accepts")
            }
            layers.formUnion(low...high)
        }
        self = .some(layers.sorted())
    }

    /// The selected layers of a model with `count` blocks; an index past the end is an error.
    public func resolve(count: Int, model: String) throws(PipelineError) -> [Int] {
        // `count` comes from a config file: bounded before `0..<count` is materialized.
        guard (0...ModelLimits.layerCount + 1).contains(count) else {
            throw PipelineError(.invalidArgument,
                "model \(model): \(count) layers is outside 0…\(ModelLimits.layerCount + 1), the most Spectra accepts")
        }
        switch self {
        case .all:
            return Array(0..<count)
        case .some(let layers):
            if let bad = layers.first(where: { $0 >= count }) {
                throw PipelineError(.invalidArgument, "--layers: model \(model) has \(count) layers (0…\(count - 1)); \(bad) is out of range")
            }
            return layers
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .some(let layers): layers.map(String.init).joined(separator: ",")
        }
    }
}
