import SpectraBase
import Foundation
import LinearAlgebra
import Postgres

/// How a run picks its probe sequences: recorded in the run's configuration and in every
/// extract job's arguments, so any worker (and the Python GPU extractor) selects the very
/// same lines in the same order.
public struct ProbeSpec: Codable, Sendable, Equatable {
    public enum Format: String, Codable, Sendable { case text, jsonl }

    public var path: String
    /// SHA-256 of the file's bytes when the run was planned; a worker refuses a file that changed.
    public var sha256: String
    public var format: Format
    public var seed: UInt64
    public var samples: Int
    public var maxTokens: Int
    /// Sequences with fewer tokens than this are skipped (too short to say anything).
    public var minTokens: Int

    public init(path: String, sha256: String, format: Format, seed: UInt64, samples: Int, maxTokens: Int, minTokens: Int) {
        (self.path, self.sha256, self.format, self.seed) = (path, sha256, format, seed)
        (self.samples, self.maxTokens, self.minTokens) = (samples, maxTokens, minTokens)
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, format, seed, samples
        case maxTokens = "max_tokens"
        case minTokens = "min_tokens"
    }
}

/// The documents of a probe file: one per line of text, or the `text` field of each JSONL
/// line, with their 0-based line numbers. Blank lines are skipped.
public struct ProbeSet: Sendable {
    public struct Document: Sendable, Equatable {
        public var line: Int
        public var text: String
    }

    public let path: String
    public let sha256: String
    public let format: ProbeSpec.Format
    public let documents: [Document]

    /// Reads `path`; the format is JSONL for `.jsonl` files, text otherwise.
    public static func load(path: String) throws(PipelineError) -> ProbeSet {
        let data: Data
        do {
            data = try FileAccess.read(path)
        } catch {
            throw PipelineError(error.kind == .notFound ? .notFound : .badInput, "probe file \(path): \(error.reason)")
        }
        let format: ProbeSpec.Format = path.lowercased().hasSuffix(".jsonl") ? .jsonl : .text
        let text = String(decoding: data, as: UTF8.self)
        var documents: [Document] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            guard !line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            switch format {
            case .text:
                documents.append(Document(line: index, text: line))
            case .jsonl:
                documents.append(Document(line: index, text: try Self.jsonText(line, path: path, line: index)))
            }
        }
        guard documents.contains(where: { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw PipelineError(.badInput, "probe file \(path): no documents (every line is empty)")
        }
        return ProbeSet(path: path, sha256: SHA256.hexDigest(data), format: format, documents: documents)
    }

    private static func jsonText(_ line: String, path: String, line index: Int) throws(PipelineError) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PipelineError(.badInput, "probe file \(path), line \(index + 1): not a JSON object")
        }
        guard let text = object["text"] as? String else {
            throw PipelineError(.badInput, "probe file \(path), line \(index + 1): no string field \"text\"")
        }
        return text
    }

    /// The documents in the order the seed shuffles them (Fisher–Yates over SplitMix64).
    public func shuffled(seed: UInt64) -> [Document] {
        var order = documents
        var random = SplitMix64(seed: seed)
        var i = order.count - 1
        while i > 0 {
            let j = Int(random.next() % UInt64(i + 1))
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    /// What a checkpoint's extract job feeds the model.
    public struct Selection: Sendable, Equatable {
        /// 0-based probe line numbers, in row order.
        public var lines: [Int]
        public var tokens: [[Int32]]
        /// How many selected sequences were cut to `maxTokens`.
        public var truncated: Int
    }

    /// Walks the shuffled documents, tokenizing each, skipping those shorter than
    /// `spec.minTokens`, cutting to `spec.maxTokens`, until `spec.samples` are chosen.
    public func select(_ spec: ProbeSpec, tokenize: (String) -> [Int32]) throws(PipelineError) -> Selection {
        guard spec.sha256 == sha256 else {
            throw PipelineError(.badInput,
                "probe file \(path) changed since the run was planned (sha256 \(sha256.prefix(12))…, planned \(spec.sha256.prefix(12))…)")
        }
        var selection = Selection(lines: [], tokens: [], truncated: 0)
        for document in shuffled(seed: spec.seed) where selection.lines.count < spec.samples {
            var ids = tokenize(document.text)
            guard ids.count >= spec.minTokens else { continue }
            if ids.count > spec.maxTokens {
                ids.removeLast(ids.count - spec.maxTokens)
                selection.truncated += 1
            }
            selection.lines.append(document.line)
            selection.tokens.append(ids)
        }
        guard selection.lines.count >= 2 else {
            throw PipelineError(.badInput,
                "probe file \(path): only \(selection.lines.count) document(s) have at least \(spec.minTokens) tokens; a spectrum needs more samples")
        }
        return selection
    }
}
