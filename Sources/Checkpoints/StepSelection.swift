import Foundation

/// Which revisions of a series to use, parsed from a `--steps` specification: parts
/// separated by commas, their union taken, in training order.
///
/// | part | selects |
/// |---|---|
/// | `all` | every revision |
/// | `3000`, `step3000`, `stage1-step1000-tokens5B` | that step or revision name |
/// | `every:N` | revisions whose step is a multiple of N |
/// | `log:K` | K revisions log-spaced in step (first and last always) |
/// | `tokens:1B..100B`, `tokens:..10B`, `tokens:500M..` | revisions whose tokens seen lie in the range (K, M, B, T) |
public struct StepSelection: Sendable, Equatable {
    /// One comma-separated part.
    public enum Part: Sendable, Equatable {
        case all
        case step(Int)
        case name(String)
        case every(Int)
        case log(Int)
        /// Inclusive bounds in tokens; nil is open.
        case tokens(lower: Int?, upper: Int?)
    }

    public let parts: [Part]
    /// The specification as given, for error messages.
    public let spec: String

    /// Parses `spec`; the error names the part that is wrong.
    public static func parse(_ spec: String) throws(CheckpointError) -> StepSelection {
        let pieces = spec.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !spec.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CheckpointError(.invalidStepSelection, "--steps is empty (try all, log:12, every:1000 or 0,1000,143000)")
        }
        var parts: [Part] = []
        for piece in pieces {
            parts.append(try part(piece, spec: spec))
        }
        return StepSelection(parts: parts, spec: spec)
    }

    /// The revisions of `entries` the parts select, each once, in training order (step,
    /// then tokens). Throws when a named step or revision does not exist, or nothing matches.
    public func select(from entries: [RevisionInfo]) throws(CheckpointError) -> [RevisionInfo] {
        let ordered = entries.sorted { ($0.step, $0.tokens, $0.name) < ($1.step, $1.tokens, $1.name) }
        guard !ordered.isEmpty else {
            throw CheckpointError(.invalidStepSelection, "--steps \(spec): the series lists no revisions")
        }
        var chosen = Set<String>()
        for part in parts {
            let picked = try Self.pick(part, from: ordered, spec: spec)
            chosen.formUnion(picked.map(\.name))
        }
        let result = ordered.filter { chosen.contains($0.name) }
        guard !result.isEmpty else {
            throw CheckpointError(.invalidStepSelection,
                "--steps \(spec) selects none of the \(ordered.count) revisions "
                + "(steps \(ordered.first!.step)…\(ordered.last!.step), tokens "
                + "\(Self.format(tokens: ordered.first!.tokens))…\(Self.format(tokens: ordered.last!.tokens)))")
        }
        return result
    }

    private static func part(_ piece: String, spec: String) throws(CheckpointError) -> Part {
        func bad(_ why: String) -> CheckpointError {
            CheckpointError(.invalidStepSelection, "--steps \(spec): part \"\(piece)\" \(why)")
        }
        if piece.isEmpty { throw bad("is empty (two commas in a row, or a trailing comma)") }
        if piece == "all" { return .all }
        if let value = Int(piece) {
            guard value >= 0 else { throw bad("is a negative step") }
            return .step(value)
        }
        if let colon = piece.firstIndex(of: ":") {
            let keyword = piece[..<colon], argument = String(piece[piece.index(after: colon)...])
            switch keyword {
            case "every":
                guard let n = Int(argument), n > 0 else { throw bad("needs a positive step count after every:") }
                return .every(n)
            case "log":
                guard let k = Int(argument), k >= 2 else { throw bad("needs a count of at least 2 after log:") }
                return .log(k)
            case "tokens":
                let bounds = argument.components(separatedBy: "..")
                guard bounds.count == 2, !(bounds[0].isEmpty && bounds[1].isEmpty) else {
                    throw bad("needs a range A..B, A.. or ..B after tokens: (units K, M, B, T)")
                }
                var values: [Int?] = []
                for bound in bounds {
                    if bound.isEmpty { values.append(nil); continue }
                    guard let tokens = tokenCount(bound) else {
                        throw bad("has \"\(bound)\", not a token count like 500M, 1.5B or 2T")
                    }
                    values.append(tokens)
                }
                if let lower = values[0], let upper = values[1], lower > upper {
                    throw bad("is an empty range (\(bounds[0]) is above \(bounds[1]))")
                }
                return .tokens(lower: values[0], upper: values[1])
            default:
                break
            }
        }
        // Revision names are plain branch names; anything else is a typo worth naming.
        guard piece.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw bad("is not a step, a revision name, all, every:N, log:K or tokens:A..B")
        }
        return .name(piece)
    }

    /// "500M" → 500,000,000; "1.5B"; "2T"; "4096". Nil when it is not a count.
    static func tokenCount(_ text: String) -> Int? {
        let scales: [Character: Double] = ["K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12]
        var digits = Substring(text), scale = 1.0
        if let last = text.last?.uppercased().first, let factor = scales[last] {
            digits = text.dropLast()
            scale = factor
        }
        guard let number = Double(digits), number >= 0, number.isFinite else { return nil }
        let value = (number * scale).rounded()
        return value < 9e18 ? Int(value) : nil
    }

    /// "2.1B", "300B", "512": tokens for people.
    public static func format(tokens: Int) -> String {
        for (unit, scale) in [("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)] where Double(tokens) >= scale {
            let value = Double(tokens) / scale
            return (value >= 100 ? String(format: "%.0f", value) : String(format: "%.3g", value)) + unit
        }
        return "\(tokens)"
    }
}
