import Foundation
import Testing
@testable import Models

/// Every tokenizer.json Spectra cannot encode faithfully is an error that names the file
/// and the part it does not support.
@Suite struct TokenizerErrorTests {
    private func load(_ parts: [String: String]) throws {
        _ = try Tokenizer(data: tokenizerJSON(parts), path: "/models/x/tokenizer.json")
    }

    @Test func baseFixtureLoads() throws {
        let tokenizer = try Tokenizer(data: tokenizerJSON(), path: "base.json")
        #expect(tokenizer.encode("ab ba") == [2, 1, 0])  // the space has no id and is dropped
    }

    @Test func missingFileNamesIt() {
        expectTokenizerError(.notFound, containing: "/no/such/tokenizer.json") { _ = try Tokenizer.load("/no/such/tokenizer.json") }
    }

    @Test func directoryWithoutTokenizerJSON() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-empty-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        expectTokenizerError(.notFound, containing: "no tokenizer.json") { _ = try Tokenizer.load(directory.path) }
    }

    @Test func notJSON() {
        expectTokenizerError(.malformed, containing: "bad.json: not valid JSON") {
            _ = try Tokenizer(data: Data("{\"model\": ".utf8), path: "bad.json")
        }
    }

    @Test(arguments: ["WordPiece", "Unigram", "WordLevel"])
    func otherModelTypes(type: String) {
        expectTokenizerError(.unsupported, containing: "model type \(type)") {
            try load(["model": #"{"type": "\#(type)", "vocab": {}}"#])
        }
    }

    @Test func unknownPreTokenizer() {
        expectTokenizerError(.unsupported, containing: "pre_tokenizer type Metaspace") {
            try load(["pre_tokenizer": #"{"type": "Metaspace", "replacement": "▁"}"#])
        }
        expectTokenizerError(.unsupported, containing: "pre_tokenizer is missing") { try load(["pre_tokenizer": "null"]) }
    }

    @Test func splitWithAnotherPattern() {
        let split = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}"#
        expectTokenizerError(.unsupported, containing: #"Split pattern \s+"#) { try load(["pre_tokenizer": split]) }
        let prefixed = split.replacingOccurrences(of: #"\\s+"#, with: PreTokenizer.gpt2Pattern.replacingOccurrences(of: "\\", with: "\\\\"))
            .replacingOccurrences(of: #""add_prefix_space": false"#, with: #""add_prefix_space": true"#)
        expectTokenizerError(.unsupported, containing: "add_prefix_space true") { try load(["pre_tokenizer": prefixed]) }
    }

    @Test func splitSpellingOfGPT2LoadsAsGPT2() throws {
        let split = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "PATTERN"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}"#
            .replacingOccurrences(of: "PATTERN", with: PreTokenizer.gpt2Pattern.replacingOccurrences(of: "\\", with: "\\\\"))
        let tokenizer = try Tokenizer(data: tokenizerJSON(["pre_tokenizer": split]), path: "split.json")
        #expect(tokenizer.preTokenizer == .gpt2)
        #expect(!tokenizer.addPrefixSpace)
    }

    @Test func byteLevelWithoutRegex() {
        expectTokenizerError(.unsupported, containing: "use_regex false") {
            try load(["pre_tokenizer": #"{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}"#])
        }
    }

    @Test func unsupportedNormalizer() {
        expectTokenizerError(.unsupported, containing: "normalizers[1] type Lowercase") {
            try load(["normalizer": #"{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]}"#])
        }
    }

    @Test func postProcessorThatAddsIDs() {
        expectTokenizerError(.unsupported, containing: "post_processor type TemplateProcessing") {
            try load(["post_processor": #"{"type": "TemplateProcessing", "single": [], "pair": [], "special_tokens": {}}"#])
        }
    }

    @Test func truncationAndPadding() {
        expectTokenizerError(.unsupported, containing: "truncation") { try load(["truncation": #"{"max_length": 8}"#]) }
        expectTokenizerError(.unsupported, containing: "padding") { try load(["padding": #"{"pad_id": 1}"#]) }
    }

    @Test func modelOptions() {
        expectTokenizerError(.unsupported, containing: "dropout") {
            try load(["model": #"{"type": "BPE", "dropout": 0.1, "vocab": {}, "merges": []}"#])
        }
        expectTokenizerError(.unsupported, containing: "continuing_subword_prefix \"##\"") {
            try load(["model": ###"{"type": "BPE", "continuing_subword_prefix": "##", "vocab": {}, "merges": []}"###])
        }
        expectTokenizerError(.unsupported, containing: "byte_fallback") {
            try load(["model": #"{"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}"#])
        }
    }

    @Test func malformedModel() {
        expectTokenizerError(.malformed, containing: "model.vocab") { try load(["model": #"{"type": "BPE", "merges": []}"#]) }
        expectTokenizerError(.malformed, containing: "model.merges[0]") {
            try load(["model": #"{"type": "BPE", "vocab": {"a": 0}, "merges": [7]}"#])
        }
        expectTokenizerError(.malformed, containing: #"merge 0 "a c": "c" is not in the vocabulary"#) {
            try load(["model": #"{"type": "BPE", "vocab": {"a": 0, "ac": 1}, "merges": ["a c"]}"#])
        }
        expectTokenizerError(.malformed, containing: "unk_token \"<unk>\"") {
            try load(["model": #"{"type": "BPE", "unk_token": "<unk>", "vocab": {"a": 0}, "merges": []}"#])
        }
    }

    @Test func addedTokenOptions() {
        for option in ["lstrip", "rstrip", "single_word"] {
            expectTokenizerError(.unsupported, containing: "\"<mask>\" sets \(option)") {
                try load(["added_tokens": #"[{"id": 5, "content": "<mask>", "\#(option)": true, "special": true}]"#])
            }
        }
        expectTokenizerError(.malformed, containing: "added_tokens[0]") { try load(["added_tokens": #"[{"content": "x"}]"#]) }
    }
}
