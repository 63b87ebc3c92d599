import Foundation
import FuzzTargets
import Testing

/// The skip list: inputs that reach a problem another change fixes are not run, and
/// nothing else is skipped.
@Suite struct KnownIssueTests {
    func tokenizer(addedId: String) throws -> Data {
        let seed = try String(contentsOf: FuzzCorpus.root.appendingPathComponent("tokenizer/llama.json"), encoding: .utf8)
        let token = #"{"id": \#(addedId), "content": "<x>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}"#
        let text = seed.replacingOccurrences(of: #""added_tokens": []"#, with: #""added_tokens": [\#(token)]"#)
        #expect(text != seed, "the seed's added_tokens were not found")
        return Data(text.utf8)
    }

    @Test func aTokenIdOfTwoToTheThirtyIsSkippedWithTheIssue() throws {
        let outcome = FuzzTargets.run(.tokenizer, try tokenizer(addedId: "1073741824"))
        guard case .skipped(let reason) = outcome else { Issue.record("not skipped: \(outcome)"); return }
        #expect(reason.contains("issue 19"))
    }

    @Test func anOrdinaryAddedTokenIsParsed() throws {
        // 256 byte-level tokens and the added one.
        let outcome = FuzzTargets.run(.tokenizer, try tokenizer(addedId: "256"))
        guard case .accepted(let detail) = outcome else { Issue.record("not accepted: \(outcome)"); return }
        #expect(detail.hasPrefix("vocabulary 257,"), "\(detail)")
    }

    @Test func otherParsersSkipNothing() throws {
        let config = try Data(contentsOf: FuzzCorpus.root.appendingPathComponent("config/llama.json"))
        let huge = Data(String(decoding: config, as: UTF8.self)
            .replacingOccurrences(of: #""vocab_size": 256"#, with: #""vocab_size": 1073741824"#).utf8)
        #expect(FuzzTargets.knownIssue(.config, huge) == nil)
    }
}
