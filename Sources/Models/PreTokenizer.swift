/// The regular expressions byte-level BPE tokenizers split text with, written by hand.
///
/// Hugging Face `tokenizers` runs these patterns through Oniguruma. Spectra matches them
/// directly on UTF-8 bytes with the same semantics (ordered alternation, greedy runs, the
/// `\s+(?!\S)` look-ahead) and the same classes: `\s` is the Unicode White_Space property,
/// `\p{L}` general category L*, `\p{N}` N*. ASCII is classified by comparisons, since it is
/// nearly all of English text; other scalars through `Unicode.Scalar.Properties`.
public enum PreTokenizer: Sendable, Equatable {
    /// GPT-2's pattern, used by GPT-NeoX, Pythia and OLMo-1:
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2

    /// The pattern string of `gpt2`, as tokenizer.json spells it in a `Split` pre-tokenizer.
    public static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// Appends the end offset of each piece of `text` to `ends` (pieces are contiguous and
    /// cover all of `text`, so ends alone delimit them).
    public func split(_ text: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        switch self {
        case .gpt2: Self.splitGPT2(text, into: &ends)
        }
    }

    /// Splits a `String` (for tests and callers without a byte buffer).
    public func split(_ text: String) -> [String] {
        var bytes = Array(text.utf8)
        var ends: [Int] = []
        bytes.withUnsafeMutableBufferPointer { split(UnsafeBufferPointer($0), into: &ends) }
        var start = 0
        return ends.map { end in
            defer { start = end }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    private static func splitGPT2(_ text: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        let n = text.count
        var i = 0
        while i < n {
            let end = matchGPT2(text, at: i)
            ends.append(end)
            i = end
        }
    }

    /// The end of the pattern's match starting at `i` (always non-empty: the last
    /// alternatives together match any scalar).
    @inline(__always)
    private static func matchGPT2(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = text.count
        let first = text[i]
        if first == 0x27, i + 1 < n {  // 's 't 're 've 'm 'll 'd, case-sensitive
            let a = text[i + 1]
            if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return i + 2 }
            if i + 2 < n {
                let b = text[i + 2]
                if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return i + 3 }
            }
        }
        // ` ?X+` for X = letters, numbers, other: an optional space belongs to the run after it.
        var start = i
        if first == 0x20, i + 1 < n { start = i + 1 }
        let (kind, length) = ScalarClass.at(text, start)
        if kind != .space {
            return run(of: kind, in: text, from: start + length)
        }
        // Whitespace: `\s+(?!\S)` leaves the last space of a run before non-space to the
        // next token (so " word" keeps its space); a single such space falls to `\s+`.
        var end = i
        var lastStart = i
        while end < n {
            let (k, len) = ScalarClass.at(text, end)
            if k != .space { break }
            lastStart = end
            end += len
        }
        if end == n || lastStart == i { return end }
        return lastStart
    }

    @inline(__always)
    private static func run(of kind: ScalarClass, in text: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        var end = position
        while end < text.count {
            let (k, len) = ScalarClass.at(text, end)
            if k != kind { break }
            end += len
        }
        return end
    }
}

/// The four classes the patterns distinguish.
enum ScalarClass: UInt8 {
    case letter, number, space, other

    /// The class and UTF-8 length of the scalar starting at byte `i` of valid UTF-8.
    @inline(__always)
    static func at(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b = text[i]
        if b < 0x80 {
            let lower = b | 0x20
            if lower >= 0x61 && lower <= 0x7A { return (.letter, 1) }
            if b >= 0x30 && b <= 0x39 { return (.number, 1) }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { return (.space, 1) }
            return (.other, 1)
        }
        return decodeNonASCII(text, i)
    }

    private static func decodeNonASCII(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b = UInt32(text[i])
        let value: UInt32
        let length: Int
        if b < 0xE0 {
            value = (b & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F)
            length = 2
        } else if b < 0xF0 {
            value = (b & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F)
            length = 3
        } else {
            value = (b & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12
                | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F)
            length = 4
        }
        return (classify(Unicode.Scalar(value) ?? "\u{FFFD}"), length)
    }

    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}
