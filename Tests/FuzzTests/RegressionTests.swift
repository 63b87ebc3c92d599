import Foundation
import FuzzTargets
import Testing

/// Every input under Tests/Fixtures/fuzz/regressions/TARGET is refused with a message that
/// names the file and says what is wrong. Each would trap, overflow or read outside the
/// file if its parser lost the check it names; crashes found by fuzzing are added here.
@Suite struct RegressionTests {
    /// What each input's rejection must say (a file without an entry fails the test).
    static let expected: [String: String] = [
        "npy/header-length-past-end.npy": "header length 65535 exceeds file size",
        "npy/shape-product-overflows.npy": "overflows the address space",
        "safetensors/header-length-max.safetensors": "header length 18446744073709551615 exceeds",
        "safetensors/offset-past-end.safetensors": "ends past the data area",
        "safetensors/shape-product-overflows.safetensors": "overflows a byte count",
        "catalog/name-leaves-series.json": "plain directory name",
        // Issue 19's integer bounds (docs/limits.md): an id table sized by the largest id,
        // sizes and layer counts that overflow the planner's products.
        "tokenizer/added-token-id-2-30.json": "added_tokens[0] (\"<x>\") has id 1073741824; token ids must be below",
        "tokenizer/vocab-id-2-30.json": "has id 1073741824; token ids must be below",
        "config/hidden-size-2-59.json": "hidden_size is 576460752303423488, more than",
        "config/layers-2-63-minus-1.json": "num_hidden_layers is 9223372036854775807, more than",
        // Recursive readers would overflow the stack; Foundation's stop at 512 levels.
        "config/nested-600-deep.json": "Too many nested arrays or dictionaries",
        "safetensors/nested-600-deep.safetensors": "Too many nested arrays or dictionaries",
        "probe-jsonl/nested-600-deep.jsonl": "line 1: not a JSON object",
        "catalog/step-times-tokens-overflows.json": "step × tokens_per_step overflows",
    ]

    static var inputs: [(target: FuzzTarget, key: String, url: URL)] {
        FuzzTarget.allCases.flatMap { target in
            FuzzCorpus.files("regressions/\(target.corpusName)").map { (target, "\(target.corpusName)/\($0.lastPathComponent)", $0) }
        }
    }

    @Test func everyRegressionInputIsRefusedWithItsMessage() throws {
        let inputs = Self.inputs
        #expect(Set(inputs.map(\.key)) == Set(Self.expected.keys), "the folder and the table disagree")
        for input in inputs {
            let outcome = FuzzTargets.run(input.target, try Data(contentsOf: input.url))
            guard case .rejected(let message) = outcome else {
                Issue.record("\(input.key): \(outcome), expected a rejection")
                continue
            }
            #expect(message.contains(Self.expected[input.key] ?? "\u{0}"), "\(input.key): \(message)")
            #expect(message.contains("spectra-fuzz-"), "\(input.key): the message does not name the file: \(message)")
        }
    }
}
