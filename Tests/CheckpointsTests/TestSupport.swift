import Foundation
import Testing
@testable import Checkpoints

/// A fresh directory under the system temporary directory, removed when `body` returns.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("spectra-checkpoints-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Bytes of a safetensors file with exactly this header text and `dataBytes` zero bytes
/// after it, so malformed headers can be written as they would appear in the wild.
func rawSafetensors(header: String, dataBytes: Int) -> Data {
    let text = Array(header.utf8)
    var data = Data()
    withUnsafeBytes(of: UInt64(text.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: text)
    data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
    return data
}

/// Writes `data` to `directory/name` and returns its URL.
@discardableResult
func write(_ data: Data, to directory: URL, _ name: String) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return url
}

/// Writes a text file (config.json, an index, a catalog).
@discardableResult
func write(_ text: String, to directory: URL, _ name: String) throws -> URL {
    try write(Data(text.utf8), to: directory, name)
}

/// Runs `body`, which must throw a `CheckpointError` with `code` and exactly `message`
/// (or a message starting with it, where the rest is a parser's own wording).
func expectCheckpointError(_ code: CheckpointError.Code, _ message: String, prefixOnly: Bool = false,
                           sourceLocation: SourceLocation = #_sourceLocation,
                           _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(code.rawValue) error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as CheckpointError {
        #expect(error.code == code, sourceLocation: sourceLocation)
        if prefixOnly {
            #expect(error.message.hasPrefix(message), "\(error.message)", sourceLocation: sourceLocation)
        } else {
            #expect(error.message == message, sourceLocation: sourceLocation)
        }
        #expect(error.description == error.message, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CheckpointError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// The repository root, found from this file's path so tests run from any directory.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The committed trained series (catalogs pointing into examples/hub).
let tinyPythia = repositoryRoot.appendingPathComponent("examples/tiny-pythia", isDirectory: true)
let tinyOLMo = repositoryRoot.appendingPathComponent("examples/tiny-olmo", isDirectory: true)

/// A minimal GPT-NeoX config.json; `architecture` replaces the class name.
func neoXConfig(architecture: String = "GPTNeoXForCausalLM", hidden: Int = 8, layers: Int = 1) -> String {
    """
    {"architectures": ["\(architecture)"], "hidden_size": \(hidden), "num_hidden_layers": \(layers),
     "num_attention_heads": 2, "intermediate_size": \(4 * hidden), "vocab_size": 16,
     "max_position_embeddings": 32, "rotary_pct": 0.25, "layer_norm_eps": 1e-5}
    """
}
