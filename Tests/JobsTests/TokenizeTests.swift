import Foundation
import SpectraTestSupport
import Testing
import Jobs

/// `spectra tokenize` end to end: the command's output must equal, byte for byte, the ids
/// HF `tokenizers` wrote for the fixture corpus (Tests/Fixtures/tokenizer).
@Suite struct TokenizeTests {
    private let fixtures = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer")

    private func run(_ request: TokenizeRequest) throws -> String {
        var output = ""
        try request.run { output += $0 }
        return output
    }

    @Test func printsTheIDsTokenizersGives() throws {
        let corpus = fixtures.appendingPathComponent("corpus.txt").path
        let expected = try String(contentsOf: fixtures.appendingPathComponent("expected.txt"), encoding: .utf8)
        // A checkpoint directory holding tokenizer.json works as well as the file.
        #expect(try run(TokenizeRequest(tokenizer: fixtures.path, input: corpus, json: false)) == expected)
        let neox = try String(contentsOf: fixtures.appendingPathComponent("expected-gpt-neox.txt"), encoding: .utf8)
        let json = fixtures.appendingPathComponent("gpt-neox.json").path
        #expect(try run(TokenizeRequest(tokenizer: json, input: corpus, json: false)) == neox)
    }

    @Test func jsonArraysAndEmptyLines() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-tokenize-\(UUID()).txt")
        try Data("ab\n\n<|endoftext|>\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let tokenizer = fixtures.appendingPathComponent("gpt-neox.json").path
        #expect(try run(TokenizeRequest(tokenizer: tokenizer, input: file.path, json: true)) == "[357]\n[]\n[0]\n")
        #expect(try run(TokenizeRequest(tokenizer: tokenizer, input: file.path, json: false)) == "357\n\n0\n")
        try Data().write(to: file)
        #expect(try run(TokenizeRequest(tokenizer: tokenizer, input: file.path, json: false)) == "")
    }

    @Test func errorsNameTheFile() throws {
        do {
            _ = try run(TokenizeRequest(tokenizer: fixtures.path, input: "/no/such/text.txt", json: false))
            Issue.record("a missing text file must be an error")
        } catch let error as PipelineError {
            #expect(error.code == .notFound && error.message.contains("/no/such/text.txt"))
        }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-bad-\(UUID()).txt")
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        do {
            _ = try run(TokenizeRequest(tokenizer: fixtures.path, input: bad.path, json: false))
            Issue.record("invalid UTF-8 must be an error")
        } catch let error as PipelineError {
            #expect(error.message.contains("line 2: not valid UTF-8"), "\(error)")
        }
    }

    @Test func commandPrintsOneArrayPerLine() throws {
        let output = try SpectraExecutable.run(["tokenize", fixtures.appendingPathComponent("gpt-neox.json").path,
                                              fixtures.appendingPathComponent("corpus.txt").path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines == 10_607 && output.stdout.hasPrefix("["))
        let missing = try SpectraExecutable.run(["tokenize", "/no/such/tokenizer.json"])
        #expect(missing.status != 0 && missing.stderr.contains("/no/such/tokenizer.json"))
    }
}
