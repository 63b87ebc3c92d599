import Foundation
import SpectraBase

/// A byte-level BPE tokenizer read from a Hugging Face `tokenizer.json` (GPT-NeoX, Pythia,
/// OLMo), encoding text to the same ids as the `tokenizers` library.
///
/// Immutable and `Sendable`: share one across tasks, and give each its own `TokenEncoder`
/// (which owns the word cache and scratch buffers) for repeated encoding.
public struct Tokenizer: Sendable {
    /// The tokenizer.json this was read from.
    public let path: String
    /// One more than the largest token id, counting added tokens.
    public let vocabularySize: Int
    /// The id of each added token by its content (special tokens and others).
    public let addedTokens: [String: Int32]

    let model: BPEModel
    /// Added tokens matched on the raw text, before normalization.
    let rawTokens: AddedTokenMatcher
    /// Added tokens matched after normalization (`"normalized": true`).
    let normalizedTokens: AddedTokenMatcher
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer
    let addPrefixSpace: Bool
    /// The bytes of each id, for decoding.
    let tokenBytes: [[UInt8]]

    /// Reads `path`: a tokenizer.json, or a checkpoint directory that contains one.
    public static func load(_ path: String) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError(.notFound, path: path, "no such file or directory")
        }
        let file = isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent("tokenizer.json").path : path
        let data: Data
        do {
            data = try FileAccess.read(file)
        } catch {
            if isDirectory.boolValue && error.kind == .notFound {
                throw TokenizerError(.notFound, path: path, "the directory has no tokenizer.json")
            }
            throw TokenizerError(error.kind == .notFound ? .notFound : .unreadable, path: file, error.reason)
        }
        return try Tokenizer(data: data, path: file)
    }

    /// Reads the contents of a tokenizer.json; `path` names it in errors.
    public init(data: Data, path: String) throws {
        let description = try TokenizerDescription(data: data, path: path)
        self.path = path
        let vocabulary = description.vocabulary
        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            byteTokens[byte] = vocabulary[String(Character(ByteLevelAlphabet.scalars[byte]))] ?? -1
        }
        var merges = MergeTable(capacity: description.merges.count)
        for (rank, (left, right)) in description.merges.enumerated() {
            guard let l = vocabulary[left], let r = vocabulary[right], let merged = vocabulary[left + right] else {
                let missing = [left, right, left + right].first { vocabulary[$0] == nil } ?? ""
                throw TokenizerError(.malformed, path: path, "merge \(rank) \"\(left) \(right)\": \"\(missing)\" is not in the vocabulary")
            }
            merges.insert(l, r, rank: Int32(rank), merged: merged)
        }
        var unknown: Int32?
        if let name = description.unknownToken {
            guard let id = vocabulary[name] else {
                throw TokenizerError(.malformed, path: path, "unk_token \"\(name)\" is not in the vocabulary")
            }
            unknown = id
        }
        model = BPEModel(byteTokens: byteTokens, merges: merges, unknown: unknown, fuseUnknown: description.fuseUnknown)

        let added = description.addedTokens
        let largest = max(vocabulary.values.max() ?? -1, added.map(\.id).max() ?? -1)
        vocabularySize = Int(largest) + 1
        var bytes = [[UInt8]](repeating: [], count: vocabularySize)
        for (token, id) in vocabulary { bytes[Int(id)] = ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8) }
        for token in added { bytes[Int(token.id)] = Array(token.content.utf8) }
        tokenBytes = bytes
        addedTokens = Dictionary(added.map { ($0.content, $0.id) }, uniquingKeysWith: { first, _ in first })

        normalizer = description.normalizer
        preTokenizer = description.preTokenizer
        addPrefixSpace = description.addPrefixSpace
        rawTokens = AddedTokenMatcher(added.filter { !$0.normalized }.map { (Array($0.content.utf8), $0.id) })
        // tokenizers normalizes the content of normalized added tokens before matching it.
        let normalizer = description.normalizer
        normalizedTokens = AddedTokenMatcher(added.filter(\.normalized).map {
            (Array((normalizer?.apply($0.content) ?? $0.content).utf8), $0.id)
        })
    }

    /// The ids of `text` (a fresh encoder each call: use `makeEncoder()` for many texts).
    public func encode(_ text: String) -> [Int32] {
        // A small cache: a large one would cost more to allocate than one text saves.
        var encoder = makeEncoder(cacheCapacity: 256)
        return encoder.encode(text)
    }

    /// An encoder with its own cache of up to `cacheCapacity` distinct words, for encoding
    /// many texts.
    public func makeEncoder(cacheCapacity: Int = 1 << 16) -> TokenEncoder {
        TokenEncoder(self, cacheCapacity: cacheCapacity)
    }

    /// The text of `ids`; bytes that do not form valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id >= 0 && Int(id) < tokenBytes.count { bytes.append(contentsOf: tokenBytes[Int(id)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
