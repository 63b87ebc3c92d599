import Foundation
import Testing
@testable import Models

/// Every line of the fixture corpus must encode to exactly the ids HF `tokenizers` 0.23.3
/// gave (tools/make_tokenizer_fixtures.py): the oracle is the library itself.
@Suite struct TokenizerFixtureTests {
    /// Compares line by line and reports the first few mismatches with their text;
    /// `stride` 10 means the expected ids are of corpus lines 1, 11, 21, ….
    private func compare(_ tokenizer: Tokenizer, corpus: [String], expected: [[Int32]], _ name: String, stride: Int = 1) {
        #expect((corpus.count + stride - 1) / stride == expected.count, "\(name): \(expected.count) expected lines")
        var encoder = tokenizer.makeEncoder()
        var failures = 0
        for (row, ids) in expected.enumerated() {
            let index = row * stride
            let got = encoder.encode(corpus[index])
            if got != ids {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(name) line \(index + 1) \(corpus[index].debugDescription): got \(got), expected \(ids)")
                }
            }
        }
        #expect(failures == 0, "\(name): \(failures) of \(expected.count) lines differ")
    }

    @Test func trainedTokenizerMatchesEveryLine() throws {
        let corpus = try fixtureLines("corpus.txt")
        #expect(corpus.count >= 10_000)
        let tokenizer = try Tokenizer.load(tokenizerFixtures.appendingPathComponent("tokenizer.json").path)
        compare(tokenizer, corpus: corpus, expected: try expectedIDs("expected.txt"), "tokenizer.json")
    }

    @Test func realGPTNeoXTokenizerMatchesEveryLine() throws {
        let corpus = try fixtureLines("corpus.txt")
        let tokenizer = try Tokenizer.load(tokenizerFixtures.appendingPathComponent("gpt-neox.json").path)
        #expect(tokenizer.vocabularySize == 50_280)
        compare(tokenizer, corpus: corpus, expected: try expectedIDs("expected-gpt-neox.txt"), "gpt-neox.json")
    }

    /// The trained tokenizer.json edited as the fixture script edits it for a variant.
    private func editedFixture(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let data = try Data(contentsOf: tokenizerFixtures.appendingPathComponent("tokenizer.json"))
        var json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        edit(&json)
        return try JSONSerialization.data(withJSONObject: json)
    }

    @Test func olmo2StyleSplitMatchesEveryLine() throws {
        let tokenizer = try Tokenizer.load(tokenizerFixtures.appendingPathComponent("tokenizer-cl100k.json").path)
        #expect(tokenizer.preTokenizer == .cl100k)
        compare(tokenizer, corpus: try fixtureLines("corpus.txt"), expected: try expectedIDs("expected-cl100k.txt"), "cl100k")
    }

    @Test func addPrefixSpaceMatches() throws {
        let tokenizer = try Tokenizer(data: try editedFixture { json in
            var pre = json["pre_tokenizer"] as! [String: Any]
            pre["add_prefix_space"] = true
            json["pre_tokenizer"] = pre
        }, path: "prefix.json")
        #expect(tokenizer.addPrefixSpace)
        compare(tokenizer, corpus: try fixtureLines("corpus.txt"), expected: try expectedIDs("expected-prefix.txt"), "prefix",
                stride: 10)
    }

    @Test func nfkcNormalizerMatches() throws {
        let tokenizer = try Tokenizer(data: try editedFixture { $0["normalizer"] = ["type": "NFKC"] }, path: "nfkc.json")
        #expect(tokenizer.normalizer == .nfkc)
        compare(tokenizer, corpus: try fixtureLines("corpus.txt"), expected: try expectedIDs("expected-nfkc.txt"), "nfkc",
                stride: 10)
    }

    @Test func decodeRoundTripsNormalizedText() throws {
        let tokenizer = try Tokenizer.load(tokenizerFixtures.path)
        for line in try fixtureLines("corpus.txt").prefix(2000) {
            #expect(tokenizer.decode(tokenizer.encode(line)) == line.precomposedStringWithCanonicalMapping)
        }
    }
}
