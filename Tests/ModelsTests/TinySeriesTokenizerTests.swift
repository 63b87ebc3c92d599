import Foundation
import Testing
@testable import Models

/// The bundled series' tokenizer.json (vocab 1024, trained by tools/train_tiny_series.py)
/// must encode every line of examples/probe.txt exactly as HF `tokenizers` 0.23.3 did
/// (Tests/Fixtures/series/probe-ids.txt, written by the same script): the oracle is the library.
@Suite struct TinySeriesTokenizerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: ["tiny-pythia", "tiny-olmo"])
    func probeEncodesAsTokenizersDid(model: String) throws {
        let repo = Self.root.appendingPathComponent("examples/hub/models--spectra--\(model)")
        let commit = try String(contentsOf: repo.appendingPathComponent("refs/step2000"), encoding: .utf8)
        let tokenizer = try Tokenizer.load(repo.appendingPathComponent("snapshots/\(commit)/tokenizer.json").path)
        #expect(tokenizer.vocabularySize == 1024)
        let probe = try String(contentsOf: Self.root.appendingPathComponent("examples/probe.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let expected = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/series/probe-ids.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map { Int32($0)! } }
        #expect(probe.count == 400 && expected.count == 400)
        var encoder = tokenizer.makeEncoder()
        var mismatches = 0
        for (line, ids) in zip(probe, expected) where encoder.encode(line) != ids {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(model): \(line.debugDescription) differs") }
        }
        #expect(mismatches == 0)
        #expect(expected.allSatisfy { $0.count >= 10 }, "probe lines have at least 10 tokens")
    }
}
