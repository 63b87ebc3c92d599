import Checkpoints
import Foundation
import SpectraBase

/// What a tokenizer.json says, checked against what Spectra implements.
///
/// Everything that changes the ids of `tokenizers`' `encode(text)` is either read here or
/// rejected with an error naming the file and the field: an unsupported model, normalizer,
/// pre-tokenizer, post-processor, truncation, padding or added-token option. Decoders
/// and offset trimming do not change ids and are ignored.
struct TokenizerDescription {
    struct AddedToken {
        var content: String
        var id: Int32
        var normalized: Bool
    }

    var vocabulary: [String: Int32] = [:]
    var merges: [(String, String)] = []
    var unknownToken: String?
    var fuseUnknown = false
    var normalizer: Normalizer?
    var preTokenizer: PreTokenizer = .gpt2
    var addPrefixSpace = false
    var addedTokens: [AddedToken] = []

    private let path: String

    init(data: Data, path: String) throws {
        self.path = path
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError(.malformed, path: path, "the top level is not a JSON object")
            }
            root = object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError(.malformed, path: path, "not valid JSON: \(JSONSyntax.describe(data, error))")
        }
        for field in ["truncation", "padding"] where !Self.isNull(root[field]) {
            throw unsupported("\(field) is set; Spectra encodes whole lines without truncation or padding")
        }
        try readModel(root["model"])
        normalizer = try readNormalizer(root["normalizer"], at: "normalizer")
        try readPreTokenizer(root["pre_tokenizer"])
        try readPostProcessor(root["post_processor"])
        try readAddedTokens(root["added_tokens"])
    }

    /// Decoding keeps a table indexed by id, so ids are bounded by a plausible vocabulary
    /// size (ModelLimits) before one sizes it: an id of 2^30 would otherwise cost gigabytes.
    private static func bounded(_ id: Int, _ field: String, path: String) throws -> Int32 {
        guard id < ModelLimits.vocabularySize else {
            throw TokenizerError(.malformed, path: path,
                "\(field) has id \(id); token ids must be below \(ModelLimits.vocabularySize) (see docs/limits.md)")
        }
        return Int32(id)
    }

    private static func isNull(_ value: Any?) -> Bool { value == nil || value is NSNull }

    private func unsupported(_ message: String) -> TokenizerError {
        TokenizerError(.unsupported, path: path, message)
    }

    private func malformed(_ message: String) -> TokenizerError {
        TokenizerError(.malformed, path: path, message)
    }

    private mutating func readModel(_ value: Any?) throws {
        guard let model = value as? [String: Any] else { throw malformed("\"model\" is missing or not an object") }
        let type = model["type"] as? String ?? "(none)"
        guard type == "BPE" else {
            throw unsupported("model type \(type) is not supported; Spectra reads byte-level BPE tokenizers only")
        }
        if !Self.isNull(model["dropout"]) { throw unsupported("BPE dropout is set; encoding would be random") }
        for field in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = model[field] as? String, !affix.isEmpty {
                throw unsupported("BPE \(field) \"\(affix)\" is not supported in byte-level BPE")
            }
        }
        for field in ["byte_fallback", "ignore_merges"] where (model[field] as? Bool) == true {
            throw unsupported("BPE option \(field) is not supported")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw malformed("model.vocab is missing or not an object") }
        vocabulary.reserveCapacity(vocab.count)
        for (token, id) in vocab {
            guard let id = id as? Int, id >= 0 else {
                throw malformed("model.vocab[\"\(token)\"] is not a non-negative integer id")
            }
            vocabulary[token] = try Self.bounded(id, "model.vocab[\"\(token)\"]", path: path)
        }
        guard let list = model["merges"] as? [Any] else { throw malformed("model.merges is missing or not an array") }
        merges.reserveCapacity(list.count)
        for (index, merge) in list.enumerated() {
            // Older files write "left right"; tokenizers ≥ 0.20 writes ["left", "right"].
            if let line = merge as? String, let space = line.firstIndex(of: " ") {
                merges.append((String(line[..<space]), String(line[line.index(after: space)...])))
            } else if let pair = merge as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String {
                merges.append((left, right))
            } else {
                throw malformed("model.merges[\(index)] is neither \"left right\" nor [left, right]")
            }
        }
        unknownToken = model["unk_token"] as? String
        fuseUnknown = model["fuse_unk"] as? Bool ?? false
    }

    private func readNormalizer(_ value: Any?, at field: String) throws -> Normalizer? {
        if Self.isNull(value) { return nil }
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw malformed("\(field) has no type")
        }
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Sequence":
            guard let steps = object["normalizers"] as? [Any] else { throw malformed("\(field).normalizers is missing") }
            return .sequence(try steps.enumerated().compactMap { try readNormalizer($1, at: "\(field).normalizers[\($0)]") })
        default:
            throw unsupported("\(field) type \(type) is not supported (NFC, NFD, NFKC, NFKD and Sequence are)")
        }
    }

    private mutating func readPreTokenizer(_ value: Any?) throws {
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw unsupported("pre_tokenizer is missing; Spectra needs a ByteLevel pre-tokenizer")
        }
        switch type {
        case "ByteLevel":
            guard object["use_regex"] as? Bool ?? true else {
                throw unsupported("a ByteLevel pre-tokenizer with use_regex false and no Split before it is not supported")
            }
            addPrefixSpace = object["add_prefix_space"] as? Bool ?? true
        case "Sequence":
            // Split(pattern) then ByteLevel(use_regex false): OLMo-2's form, and GPT-2's spelled out.
            let steps = object["pretokenizers"] as? [[String: Any]] ?? []
            guard steps.count == 2, steps[0]["type"] as? String == "Split", steps[1]["type"] as? String == "ByteLevel",
                  steps[1]["use_regex"] as? Bool == false else {
                throw unsupported("pre_tokenizer Sequence \(steps.map { $0["type"] as? String ?? "?" }) is not supported (only Split then ByteLevel)")
            }
            let pattern = (steps[0]["pattern"] as? [String: Any])?["Regex"] as? String ?? "(none)"
            let behavior = steps[0]["behavior"] as? String
            let invert = steps[0]["invert"] as? Bool ?? false
            // Both patterns match every scalar, so keeping the matches (Isolated) and removing
            // what is not matched (Removed, inverted) split alike.
            guard let split = PreTokenizer(pattern: pattern),
                  (behavior == "Isolated" && !invert) || (behavior == "Removed" && invert) else {
                throw unsupported("pre_tokenizer Split pattern \(pattern) (behavior \(behavior ?? "?"), invert \(invert)) is not supported")
            }
            // Here ByteLevel would prefix a space to every piece of the split, not once per
            // text; no known tokenizer does that.
            guard steps[1]["add_prefix_space"] as? Bool == false else {
                throw unsupported("pre_tokenizer ByteLevel after Split with add_prefix_space true is not supported")
            }
            preTokenizer = split
        default:
            throw unsupported("pre_tokenizer type \(type) is not supported (ByteLevel is)")
        }
    }

    private func readPostProcessor(_ value: Any?) throws {
        if Self.isNull(value) { return }
        let type = (value as? [String: Any])?["type"] as? String ?? "(none)"
        // ByteLevel post-processing only trims offsets; anything else may add ids.
        guard type == "ByteLevel" else { throw unsupported("post_processor type \(type) is not supported (it could add ids)") }
    }

    private mutating func readAddedTokens(_ value: Any?) throws {
        if Self.isNull(value) { return }
        guard let list = value as? [[String: Any]] else { throw malformed("added_tokens is not an array of objects") }
        for (index, token) in list.enumerated() {
            guard let content = token["content"] as? String, let id = token["id"] as? Int, id >= 0 else {
                throw malformed("added_tokens[\(index)] lacks a content string or an integer id")
            }
            let bounded = try Self.bounded(id, "added_tokens[\(index)] (\"\(content.prefix(40))\")", path: path)
            for option in ["single_word", "lstrip", "rstrip"] where (token[option] as? Bool) == true {
                throw unsupported("added token \"\(content)\" sets \(option), which is not supported")
            }
            let special = token["special"] as? Bool ?? false
            addedTokens.append(AddedToken(content: content, id: bounded, normalized: token["normalized"] as? Bool ?? !special))
        }
    }
}
