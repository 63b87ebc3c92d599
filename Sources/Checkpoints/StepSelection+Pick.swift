import Foundation

extension StepSelection {
    /// The revisions one part picks from `ordered` (sorted by step).
    static func pick(_ part: Part, from ordered: [RevisionInfo], spec: String) throws(CheckpointError) -> [RevisionInfo] {
        switch part {
        case .all:
            return ordered
        case .step(let step):
            let matches = ordered.filter { $0.step == step }
            guard !matches.isEmpty else {
                throw CheckpointError(.invalidStepSelection,
                    "--steps \(spec): step \(step) is not among the \(ordered.count) revisions (\(nearest(step, in: ordered)))")
            }
            return matches
        case .name(let name):
            if let exact = ordered.first(where: { $0.name == name }) { return [exact] }
            // "step1000" also names OLMo's "step1000-tokens4B" and "stage1-step1000-tokens5B".
            if name.hasPrefix("step"), let step = Int(name.dropFirst(4)), step >= 0 {
                return try pick(.step(step), from: ordered, spec: spec)
            }
            let sample = ordered.prefix(3).map(\.name).joined(separator: ", ")
            throw CheckpointError(.invalidStepSelection,
                "--steps \(spec): no revision is named \"\(name)\" (names look like \(sample), …)")
        case .every(let n):
            return ordered.filter { $0.step % n == 0 }
        case .log(let count):
            return logSpaced(count, from: ordered)
        case .tokens(let lower, let upper):
            return ordered.filter { $0.tokens >= (lower ?? 0) && $0.tokens <= (upper ?? Int.max) }
        }
    }

    /// `count` revisions whose log(1 + step) is closest to evenly spaced targets between the
    /// first and the last, each used once, so early training (where geometry changes fastest)
    /// is sampled as densely as late training. Fewer revisions than asked: all of them.
    static func logSpaced(_ count: Int, from ordered: [RevisionInfo]) -> [RevisionInfo] {
        guard count < ordered.count else { return ordered }
        let position = ordered.map { log1p(Double($0.step)) }
        let low = position.first!, high = position.last!
        var used = Set([0, ordered.count - 1])
        for i in 1..<(count - 1) {
            let target = low + (high - low) * Double(i) / Double(count - 1)
            // Nearest unused revision; ties go to the earlier one. There are always
            // unused revisions because count < ordered.count.
            var best = -1
            for index in ordered.indices where !used.contains(index) {
                if best < 0 || abs(position[index] - target) < abs(position[best] - target) { best = index }
            }
            used.insert(best)
        }
        return used.sorted().map { ordered[$0] }
    }

    private static func nearest(_ step: Int, in ordered: [RevisionInfo]) -> String {
        let below = ordered.last { $0.step < step }, above = ordered.first { $0.step > step }
        let names = [below, above].compactMap { $0.map { "step \($0.step)" } }
        return "nearest: " + names.joined(separator: ", ")
    }
}
