import Foundation
import LinearAlgebra
import Testing
@testable import Models

/// Added-token matching, the two merge strategies and the word cache, on small tokenizers
/// whose ids can be worked out by hand.
@Suite struct TokenizerTests {
    /// Bytes a, b, c and space; merges a b → ab, ab c → abc, Ġ a → Ġa.
    private let vocabulary = #"{"a": 0, "b": 1, "c": 2, "Ġ": 3, "ab": 4, "abc": 5, "Ġa": 6}"#
    private let merges = #"["a b", "ab c", "Ġ a"]"#

    private func tokenizer(addedTokens: String = "[]", normalizer: String = "null") throws -> Tokenizer {
        try Tokenizer(data: tokenizerJSON([
            "model": #"{"type": "BPE", "vocab": \#(vocabulary), "merges": \#(merges)}"#,
            "added_tokens": addedTokens, "normalizer": normalizer,
        ]), path: "small.json")
    }

    @Test func mergesByRank() throws {
        let t = try tokenizer()
        #expect(t.encode("abc") == [5])
        #expect(t.encode("cab a") == [2, 4, 6])
        #expect(t.encode("ba") == [1, 0])
        #expect(t.decode([2, 4, 6]) == "cab a")
    }

    @Test func addedTokensMatchLeftmostLongest() throws {
        let t = try tokenizer(addedTokens: #"""
            [{"id": 10, "content": "<|x|>", "special": true, "normalized": false},
             {"id": 11, "content": "<|x|>y", "special": true, "normalized": false},
             {"id": 12, "content": "|>", "special": false, "normalized": false}]
            """#)
        #expect(t.encode("a<|x|>b") == [0, 10, 1])
        #expect(t.encode("<|x|>yc") == [11, 2])          // the longer token at the same start wins
        #expect(t.encode("<|x<|x|>|>") == [10, 12])       // "<|x" has no ids; then <|x|>, then |>
        #expect(t.encode("<|x|") == [])                   // a partial match is plain text (no ids for < | x)
        #expect(t.addedTokens["<|x|>"] == 10)
        #expect(t.vocabularySize == 13)
    }

    @Test func addedTokensSplitBeforePreTokenization() throws {
        // Without the split, " a" would merge to Ġa; the token in between keeps the pieces apart
        // and each piece is pre-tokenized on its own.
        let t = try tokenizer(addedTokens: #"[{"id": 10, "content": "<s>", "special": true, "normalized": false}]"#)
        #expect(t.encode("a<s> a") == [0, 10, 6])
        #expect(t.encode("ab<s>c") == [4, 10, 2])
    }

    @Test func normalizedAddedTokensMatchAfterNormalization() throws {
        let decomposed = "e\u{0301}"
        let raw = try tokenizer(addedTokens: #"[{"id": 20, "content": "é", "special": false, "normalized": false}]"#,
                                normalizer: #"{"type": "NFC"}"#)
        let normalized = try tokenizer(addedTokens: #"[{"id": 20, "content": "é", "special": false, "normalized": true}]"#,
                                       normalizer: #"{"type": "NFC"}"#)
        #expect(raw.encode("a" + decomposed) == [0])       // raw text has no "é"; its bytes have no ids
        #expect(normalized.encode("a" + decomposed) == [0, 20])
        #expect(raw.encode("aé") == [0, 20])
    }

    @Test func matcherFindsNonOverlappingMatches() {
        let matcher = AddedTokenMatcher([(Array("ab".utf8), 1), (Array("abc".utf8), 2), (Array("bcd".utf8), 3)])
        var found: [AddedTokenMatcher.Match] = []
        Array("xabcdab".utf8).withUnsafeBufferPointer { matcher.matches(in: $0, into: &found) }
        #expect(found == [.init(range: 1..<4, id: 2), .init(range: 5..<7, id: 1)])
    }

    @Test func heapAndLinearMergesAgree() throws {
        let t = try Tokenizer.load(tokenizerFixtures.appendingPathComponent("gpt-neox.json").path)
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("aeinorst ,.'-0123456789éß日😀\t")
        for length in [2, 5, 17, 49, 120, 400] {
            for _ in 0..<20 {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                let bytes = Array(text.utf8)
                var linear = BPEScratch()
                var heap = BPEScratch()
                var fromHeap: [Int32] = []
                linear.symbols = bytes.map { t.model.byteTokens[Int($0)] }
                heap.symbols = linear.symbols
                t.model.mergeLinear(&linear)
                t.model.mergeWithHeap(&heap, into: &fromHeap)
                #expect(linear.symbols == fromHeap, "\(text.debugDescription)")
            }
        }
    }

    @Test func wordCacheStartsOverWhenFull() {
        var cache = WordCache(capacity: 4)
        let words = (0..<10).map { Array("word\($0)".utf8) }
        for (i, word) in words.enumerated() {
            word.withUnsafeBufferPointer { w in
                let hash = WordCache.hash(w)
                #expect(cache.lookup(w, hash: hash) == nil)
                cache.insert(w, hash: hash, ids: [Int32(i), Int32(i * 2)][...])
                #expect(cache.lookup(w, hash: hash).map { Array(cache.ids[$0]) } == [Int32(i), Int32(i * 2)])
            }
        }
        // Words 8 and 9 came after the last reset, at 8; word 0 is gone.
        words[9].withUnsafeBufferPointer { #expect(cache.lookup($0, hash: WordCache.hash($0)) != nil) }
        words[0].withUnsafeBufferPointer { #expect(cache.lookup($0, hash: WordCache.hash($0)) == nil) }
    }

    @Test func encoderReuseGivesTheSameIDs() throws {
        let t = try Tokenizer.load(tokenizerFixtures.path)
        var encoder = t.makeEncoder()
        let line = "The cache must not change an encoding: café, 日本語, 👍🏽 and    spaces."
        let first = encoder.encode(line)
        #expect(encoder.encode(line) == first)
        #expect(t.encode(line) == first)
    }
}
