/// Encodes text with a `Tokenizer`, keeping a cache of word encodings and scratch buffers
/// between calls. A value type: each task that encodes owns one.
public struct TokenEncoder: Sendable {
    public let tokenizer: Tokenizer
    private var cache: WordCache
    private var scratch = BPEScratch()
    private var ends: [Int] = []
    private var prefixed: [UInt8] = []
    private var word: [Int32] = []

    init(_ tokenizer: Tokenizer, cacheCapacity: Int) {
        self.tokenizer = tokenizer
        cache = WordCache(capacity: max(1, cacheCapacity))
    }

    /// The ids of `text`, equal to `tokenizers`' `encode(text).ids`.
    public mutating func encode(_ text: String) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 4)
        var text = text
        text.withUTF8 { encodeRaw($0, into: &out) }
        return out
    }

    /// Splits out added tokens matched before normalization, then normalizes the rest.
    private mutating func encodeRaw(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        forEachSegment(of: text, around: tokenizer.rawTokens, into: &out) { encoder, segment, out in
            if let normalizer = encoder.tokenizer.normalizer, !normalizer.isStable(segment) {
                var normalized = normalizer.apply(String(decoding: segment, as: UTF8.self))
                normalized.withUTF8 { encoder.encodeNormalized($0, into: &out) }
            } else {
                encoder.encodeNormalized(segment, into: &out)
            }
        }
    }

    /// Splits out added tokens matched after normalization, then pre-tokenizes the rest.
    private mutating func encodeNormalized(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        forEachSegment(of: text, around: tokenizer.normalizedTokens, into: &out) { encoder, segment, out in
            encoder.encodePiece(segment, into: &out)
        }
    }

    /// Calls `body` with each non-empty stretch of `text` between matches of `matcher`,
    /// appending the ids of the matches in order.
    private mutating func forEachSegment(
        of text: UnsafeBufferPointer<UInt8>, around matcher: AddedTokenMatcher, into out: inout [Int32],
        _ body: (inout TokenEncoder, UnsafeBufferPointer<UInt8>, inout [Int32]) -> Void
    ) {
        var matches: [AddedTokenMatcher.Match] = []
        matcher.matches(in: text, into: &matches)
        var start = 0
        for match in matches {
            if match.range.lowerBound > start {
                body(&self, UnsafeBufferPointer(rebasing: text[start..<match.range.lowerBound]), &out)
            }
            out.append(match.id)
            start = match.range.upperBound
        }
        if start < text.count {
            body(&self, UnsafeBufferPointer(rebasing: text[start...]), &out)
        }
    }

    /// Pre-tokenizes one piece of normalized text and encodes each word.
    private mutating func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        if tokenizer.addPrefixSpace && piece.first != 0x20 {
            prefixed.removeAll(keepingCapacity: true)
            prefixed.append(0x20)
            prefixed.append(contentsOf: piece)
            let buffer = prefixed  // a copy to read while self mutates; it shares storage
            buffer.withUnsafeBufferPointer { encodeWords($0, into: &out) }
            prefixed = buffer
        } else {
            encodeWords(piece, into: &out)
        }
    }

    private mutating func encodeWords(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        ends.removeAll(keepingCapacity: true)
        tokenizer.preTokenizer.split(text, into: &ends)
        var start = 0
        for end in ends {
            let word = UnsafeBufferPointer(rebasing: text[start..<end])
            start = end
            guard word.count <= WordCache.maxWordLength else {
                tokenizer.model.encodeWord(word, into: &out, scratch: &scratch)
                continue
            }
            let hash = WordCache.hash(word)
            if let range = cache.lookup(word, hash: hash) {
                out.append(contentsOf: cache.ids[range])
            } else {
                let first = out.count
                tokenizer.model.encodeWord(word, into: &out, scratch: &scratch)
                cache.insert(word, hash: hash, ids: out[first...])
            }
        }
    }
}
