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
    /// tiktoken's cl100k_base pattern, used by OLMo-2 (the dolma2 tokenizer):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case cl100k

    /// The pattern string of `gpt2`, as tokenizer.json spells it in a `Split` pre-tokenizer.
    public static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    /// The pattern string of `cl100k`.
    public static let cl100kPattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The pre-tokenizer whose pattern is `pattern`, if Spectra implements it.
    public init?(pattern: String) {
        switch pattern {
        case Self.gpt2Pattern: self = .gpt2
        case Self.cl100kPattern: self = .cl100k
        default: return nil
        }
    }

    /// Appends the end offset of each piece of `text` to `ends` (pieces are contiguous and
    /// cover all of `text`, so ends alone delimit them).
    func split(_ text: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        let n = text.count
        var i = 0
        switch self {
        case .gpt2:
            while i < n {
                i = Self.matchGPT2(text, at: i)
                ends.append(i)
            }
        case .cl100k:
            while i < n {
                i = Self.matchCL100K(text, at: i)
                ends.append(i)
            }
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
        return matchSpaces(text, at: i, stopAfterNewline: false)
    }

    /// cl100k at `i`: contractions in any case, letters with one leading non-letter,
    /// numbers in threes, punctuation runs taking trailing newlines, whitespace through
    /// its last newline.
    @inline(__always)
    private static func matchCL100K(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = text.count
        let first = text[i]
        if first == 0x27, i + 1 < n {  // (?i:'s|'t|'re|'ve|'m|'ll|'d): ASCII case folding
            let a = text[i + 1] | 0x20
            if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return i + 2 }
            if i + 2 < n {
                let b = text[i + 2] | 0x20
                if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return i + 3 }
            }
        }
        let (kind, length) = ScalarClass.at(text, i)
        if kind == .letter { return run(of: .letter, in: text, from: i + length) }
        if kind != .number, first != 0x0D, first != 0x0A, i + length < n {
            let (next, nextLength) = ScalarClass.at(text, i + length)
            if next == .letter { return run(of: .letter, in: text, from: i + length + nextLength) }
        }
        if kind == .number {
            var end = i + length
            for _ in 0..<2 where end < n {
                let (k, len) = ScalarClass.at(text, end)
                if k != .number { break }
                end += len
            }
            return end
        }
        var start = i
        if first == 0x20, i + 1 < n { start = i + 1 }
        let (startKind, startLength) = ScalarClass.at(text, start)
        if startKind == .other {
            var end = run(of: .other, in: text, from: start + startLength)
            while end < n, text[end] == 0x0D || text[end] == 0x0A { end += 1 }
            return end
        }
        return matchSpaces(text, at: i, stopAfterNewline: true)
    }

    /// Whitespace at `i`. `\s+(?!\S)` leaves the last space of a run before non-space to
    /// the next token (so " word" keeps its space); a single such space falls to `\s+`.
    /// With `stopAfterNewline` (cl100k's `\s*[\r\n]+` first), a run containing a newline
    /// ends just after its last one.
    @inline(__always)
    private static func matchSpaces(_ text: UnsafeBufferPointer<UInt8>, at i: Int, stopAfterNewline: Bool) -> Int {
        let n = text.count
        var end = i
        var lastStart = i
        var afterNewline = -1
        while end < n {
            let (k, len) = ScalarClass.at(text, end)
            if k != .space { break }
            if text[end] == 0x0A || text[end] == 0x0D { afterNewline = end + 1 }
            lastStart = end
            end += len
        }
        if stopAfterNewline && afterNewline > 0 { return afterNewline }
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
