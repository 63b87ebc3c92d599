/// Finds added tokens (special tokens, GPT-NeoX's runs of spaces) in text before it is
/// pre-tokenized, the way `tokenizers` does: leftmost match first, the longest of the
/// tokens that start there, then on past its end.
///
/// A byte trie with a flat 256-way transition table: added tokens are few (tens to a few
/// hundred) and short, so the table is small, and a first-byte filter keeps the scan to
/// one load per byte of ordinary text.
struct AddedTokenMatcher: Sendable {
    private var transitions: [Int32] = [Int32](repeating: -1, count: 256)
    private var tokenAtNode: [Int32] = [-1]
    private var startsToken = [Bool](repeating: false, count: 256)

    /// True when there is nothing to match.
    private(set) var isEmpty = true

    init(_ tokens: [(bytes: [UInt8], id: Int32)]) {
        // When two added tokens have the same content, the first listed keeps it.
        for (bytes, id) in tokens where !bytes.isEmpty {
            var node = 0
            for byte in bytes {
                let slot = node * 256 + Int(byte)
                if transitions[slot] < 0 {
                    transitions[slot] = Int32(tokenAtNode.count)
                    tokenAtNode.append(-1)
                    transitions.append(contentsOf: repeatElement(-1, count: 256))
                }
                node = Int(transitions[slot])
            }
            if tokenAtNode[node] < 0 { tokenAtNode[node] = id }
            startsToken[Int(bytes[0])] = true
            isEmpty = false
        }
    }

    /// A match: the byte range of an added token in the text, and its id.
    struct Match: Equatable {
        var range: Range<Int>
        var id: Int32
    }

    /// Appends every match in `text`, left to right, non-overlapping.
    func matches(in text: UnsafeBufferPointer<UInt8>, into found: inout [Match]) {
        if isEmpty { return }
        var start = 0
        while start < text.count {
            if startsToken[Int(text[start])], let match = longest(in: text, at: start) {
                found.append(match)
                start = match.range.upperBound
            } else {
                start += 1
            }
        }
    }

    private func longest(in text: UnsafeBufferPointer<UInt8>, at start: Int) -> Match? {
        var node = 0
        var best: Match?
        var i = start
        while i < text.count {
            let next = transitions[node * 256 + Int(text[i])]
            if next < 0 { break }
            node = Int(next)
            i += 1
            let id = tokenAtNode[node]
            if id >= 0 { best = Match(range: start..<i, id: id) }
        }
        return best
    }
}
