import Foundation
import LinearAlgebra
@testable import Jobs
import Testing

@Suite("Probe sets")
struct ProbeSetTests {
    static func file(_ contents: String, ext: String = "txt") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).\(ext)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Whitespace-split words as tokens: enough to test selection without a tokenizer.
    static func words(_ text: String) -> [Int32] {
        text.split(separator: " ").map { Int32($0.count) }
    }

    @Test("SplitMix64 gives the reference sequence (seed 0: e220a8397b1dcdaf, 6e789e6aa1b965f4)")
    func splitMix() {
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("selection is deterministic by seed, skips short and blank lines, cuts long ones, keeps line numbers")
    func selection() throws {
        var lines: [String] = []
        for i in 0..<40 {
            lines.append(i % 5 == 0 ? "" : (i % 7 == 0 ? "too short" : Array(repeating: "w\(i)", count: 12 + i).joined(separator: " ")))
        }
        let path = try Self.file(lines.joined(separator: "\n"))
        let set = try ProbeSet.load(path: path)
        #expect(set.documents.count == 32)
        let spec = ProbeSpec(path: path, sha256: set.sha256, format: .text, seed: 7, samples: 10, maxTokens: 20, minTokens: 10)
        let a = try set.select(spec, tokenize: Self.words)
        let b = try set.select(spec, tokenize: Self.words)
        #expect(a == b)
        #expect(a.lines.count == 10)
        #expect(a.tokens.allSatisfy { (10...20).contains($0.count) })
        #expect(a.lines.allSatisfy { $0 % 5 != 0 && $0 % 7 != 0 })
        #expect(a.truncated == a.tokens.filter { $0.count == 20 }.count)
        var other = spec
        other.seed = 8
        #expect(try set.select(other, tokenize: Self.words).lines != a.lines)
    }

    @Test("JSONL takes the text field; a malformed line and a changed file are errors naming them")
    func jsonlAndErrors() throws {
        let path = try Self.file("{\"text\": \"a b c d e f g h i j k\"}\n\n{\"id\": 3}\n", ext: "jsonl")
        #expect(throws: PipelineError.self) { try ProbeSet.load(path: path) }
        do {
            _ = try ProbeSet.load(path: path)
        } catch {
            #expect(error.message.contains("line 3") && error.message.contains("\"text\""))
        }
        let good = try Self.file("{\"text\": \"one two three four five six seven eight nine ten\"}\n{\"text\": \"x y z a b c d e f g h\"}\n", ext: "jsonl")
        let set = try ProbeSet.load(path: good)
        #expect(set.format == .jsonl && set.documents.map(\.line) == [0, 1])
        let stale = ProbeSpec(path: good, sha256: String(repeating: "0", count: 64), format: .jsonl, seed: 0,
                              samples: 2, maxTokens: 50, minTokens: 10)
        #expect(throws: PipelineError.self) { try set.select(stale, tokenize: Self.words) }
        let empty = try Self.file("\n  \n")
        #expect(throws: PipelineError.self) { try ProbeSet.load(path: empty) }
    }
}
