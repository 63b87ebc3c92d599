import Foundation
import Testing
@testable import Models

/// The repository root, found from this file's path so tests run from any directory.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Tests/Fixtures/tokenizer, written by tools/make_tokenizer_fixtures.py.
let tokenizerFixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer", isDirectory: true)

/// The lines of a fixture file, split on "\n" only: the corpus has U+2028, U+0085, \r,
/// \v and \f inside lines, which other line splitters would break on.
func fixtureLines(_ name: String) throws -> [String] {
    let data = try Data(contentsOf: tokenizerFixtures.appendingPathComponent(name))
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// The expected ids of each line of a fixture written by `tokenizers`.
func expectedIDs(_ name: String) throws -> [[Int32]] {
    try fixtureLines(name).map { $0.split(separator: " ").map { Int32($0)! } }
}

/// A tokenizer.json made of `parts` (JSON fragments by key) over a tiny valid base.
func tokenizerJSON(_ parts: [String: String] = [:]) -> Data {
    var fields = [
        "version": #""1.0""#, "truncation": "null", "padding": "null", "added_tokens": "[]",
        "normalizer": "null",
        "pre_tokenizer": #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#,
        "post_processor": "null", "decoder": "null",
        "model": #"{"type": "BPE", "dropout": null, "unk_token": null, "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}"#,
    ]
    fields.merge(parts) { $1 }
    let body = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
    return Data("{\(body)}".utf8)
}

/// Asserts that `body` throws a TokenizerError with `code` whose message contains `text`.
func expectTokenizerError(_ code: TokenizerError.Code, containing text: String,
                          sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a TokenizerError (\(code))", sourceLocation: sourceLocation)
    } catch let error as TokenizerError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(text), "\(error) should mention \(text)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected TokenizerError, got \(error)", sourceLocation: sourceLocation)
    }
}
