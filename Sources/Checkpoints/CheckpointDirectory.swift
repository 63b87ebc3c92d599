import Foundation
import LinearAlgebra
import Synchronization

/// A Hugging Face checkpoint on disk: `config.json` beside either `model.safetensors` or a
/// sharded `model.safetensors.index.json` whose shards are opened on first use.
public final class CheckpointDirectory: Sendable {
    /// The directory.
    public let url: URL
    /// How messages name this checkpoint: "checkpoint step3000".
    public let context: String
    public let config: ModelConfig
    /// Which file holds each tensor, relative to `url`.
    private let shardOfTensor: [String: String]
    /// Opened files by relative name; a `Mutex` so workers on several threads share them.
    private let opened: Mutex<[String: SafetensorsFile]>

    /// Opens `url`, reading config.json and validating the single file's header, or the
    /// shard index and that every shard it names exists.
    public init(url: URL) throws(CheckpointError) {
        self.url = url
        context = "checkpoint \(url.lastPathComponent)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw CheckpointError(.fileNotFound, "checkpoint \(url.path): no such directory")
        }
        config = try ModelConfig.load(directory: url)

        let single = url.appendingPathComponent(Self.singleFileName)
        let index = url.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(url: single, context: "\(context)/\(Self.singleFileName)")
            shardOfTensor = file.tensors.mapValues { _ in Self.singleFileName }
            opened = Mutex([Self.singleFileName: file])
        } else if FileManager.default.fileExists(atPath: index.path) {
            shardOfTensor = try ShardIndex.load(index, checkpoint: context)
            opened = Mutex([:])
            try checkShardsExist()
        } else {
            throw CheckpointError(.missingWeights,
                "\(context) (\(url.path)): neither \(Self.singleFileName) nor \(Self.indexFileName) is in the directory")
        }
    }

    static let singleFileName = "model.safetensors"
    static let indexFileName = "model.safetensors.index.json"

    /// Whether `url` looks like a checkpoint (config.json and weights), without opening it.
    public static func exists(at url: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent("config.json").path)
            && (fm.fileExists(atPath: url.appendingPathComponent(singleFileName).path)
                || fm.fileExists(atPath: url.appendingPathComponent(indexFileName).path))
    }

    /// Every tensor name, sorted.
    public var tensorNames: [String] { shardOfTensor.keys.sorted() }

    /// The header entry of tensor `name`, opening its shard if needed.
    public func tensorInfo(_ name: String) throws(CheckpointError) -> TensorInfo {
        try file(holding: name).info(name)
    }

    /// A 2-D tensor as a Float32 matrix.
    public func matrix(_ name: String) throws(CheckpointError) -> Matrix<Float> {
        try file(holding: name).matrix(name)
    }

    /// A tensor of any rank, flattened row-major, as Float32.
    public func tensor(_ name: String) throws(CheckpointError) -> (shape: [Int], values: [Float]) {
        try file(holding: name).tensor(name)
    }

    /// The file holding `name`, opened once and kept for later reads.
    public func file(holding name: String) throws(CheckpointError) -> SafetensorsFile {
        guard let shard = shardOfTensor[name] else {
            throw CheckpointError(.tensorNotFound,
                "\(context): no tensor named \(name) in \(shardOfTensor.isEmpty ? "the checkpoint" : "the weight map")")
        }
        let result: Result<SafetensorsFile, CheckpointError> = opened.withLock { files in
            if let file = files[shard] { return .success(file) }
            let shardURL = url.appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: shardURL.path) else {
                return .failure(CheckpointError(.missingShard,
                    "\(context): shard \(shard), which holds tensor \(name), does not exist"))
            }
            do throws(CheckpointError) {
                let file = try SafetensorsFile(url: shardURL, context: "\(context)/\(shard)")
                files[shard] = file
                return .success(file)
            } catch {
                return .failure(error)
            }
        }
        let file = try result.get()
        guard file.tensors[name] != nil else {
            throw CheckpointError(.tensorNotFound,
                "\(context): the weight map puts tensor \(name) in \(shard), which does not hold it")
        }
        return file
    }

    private func checkShardsExist() throws(CheckpointError) {
        var firstTensor: [String: String] = [:]
        for name in shardOfTensor.keys.sorted() where firstTensor[shardOfTensor[name]!] == nil {
            firstTensor[shardOfTensor[name]!] = name
        }
        for shard in firstTensor.keys.sorted()
        where !FileManager.default.fileExists(atPath: url.appendingPathComponent(shard).path) {
            throw CheckpointError(.missingShard,
                "\(context): shard \(shard), which holds tensor \(firstTensor[shard]!) and others, does not exist")
        }
    }
}

/// Reads the `weight_map` of a sharded checkpoint's index file.
enum ShardIndex {
    static func load(_ url: URL, checkpoint: String) throws(CheckpointError) -> [String: String] {
        let where_ = "\(checkpoint)/\(url.lastPathComponent)"
        let json: JSONValue
        do {
            json = try JSONValue.parse(try Data(contentsOf: url))
        } catch let error as JSONValueError {
            throw CheckpointError(.malformedIndex, "\(where_): not valid JSON: \(error.reason)")
        } catch {
            throw CheckpointError(.ioFailure, "\(where_): cannot read: \(error.localizedDescription)")
        }
        guard let map = json.objectValue?["weight_map"]?.objectValue else {
            throw CheckpointError(.malformedIndex, "\(where_): no \"weight_map\" object")
        }
        var shards: [String: String] = [:]
        for (tensor, value) in map {
            // A shard is a file beside the index; a path that leaves the directory is refused.
            guard let shard = value.stringValue, !shard.isEmpty, !shard.contains("/"), shard != ".." else {
                throw CheckpointError(.malformedIndex,
                    "\(where_): weight_map entry for \(tensor) is \(value.brief), not a shard file name")
            }
            shards[tensor] = shard
        }
        return shards
    }
}
