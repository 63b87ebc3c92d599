import Foundation
import SpectraBase
import LinearAlgebra
import Synchronization

/// A Hugging Face checkpoint on disk: `config.json` beside its weights, which are, in order
/// of preference, `model.safetensors`, a sharded `model.safetensors.index.json`,
/// `pytorch_model.bin`, or a sharded `pytorch_model.bin.index.json`; shards are opened on
/// first use.
public final class CheckpointDirectory: Sendable {
    /// The directory.
    public let url: URL
    /// How messages name this checkpoint: "checkpoint step3000".
    public let context: String
    public let config: ModelConfig
    /// Which form the weights are stored in.
    public let format: WeightFormat
    /// Which file holds each tensor, relative to `url`.
    private let shardOfTensor: [String: String]
    /// Opened files by relative name; a `Mutex` so workers on several threads share them.
    private let opened: Mutex<[String: any TensorFile]>

    /// Opens `url`, reading config.json and validating the single file, or the shard
    /// index and that every shard it names exists.
    public init(url: URL) throws(CheckpointError) {
        self.url = url
        context = "checkpoint \(url.lastPathComponent)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw CheckpointError(.fileNotFound, "checkpoint \(url.path): no such directory")
        }
        config = try ModelConfig.load(directory: url)

        guard let (format, sharded) = Self.weights(in: url) else {
            let names = WeightFormat.allCases.flatMap { [$0.singleFileName, $0.indexFileName] }
            throw CheckpointError(.missingWeights,
                "\(context) (\(url.path)): none of \(names.joined(separator: ", ")) is in the directory")
        }
        self.format = format
        if sharded {
            shardOfTensor = try ShardIndex.load(url.appendingPathComponent(format.indexFileName), checkpoint: context)
            opened = Mutex([:])
            try checkShardsExist()
        } else {
            let name = format.singleFileName
            let file = try format.open(url.appendingPathComponent(name), context: "\(context)/\(name)")
            shardOfTensor = file.tensors.mapValues { _ in name }
            opened = Mutex([name: file])
        }
    }

    /// The preferred weights present in `url`: the format and whether it is sharded.
    private static func weights(in url: URL) -> (WeightFormat, sharded: Bool)? {
        let fm = FileManager.default
        for format in WeightFormat.allCases {
            if fm.fileExists(atPath: url.appendingPathComponent(format.singleFileName).path) { return (format, false) }
            if fm.fileExists(atPath: url.appendingPathComponent(format.indexFileName).path) { return (format, true) }
        }
        return nil
    }

    /// Whether `url` looks like a checkpoint (config.json and weights), without opening it.
    public static func exists(at url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path)
            && weights(in: url) != nil
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
    public func file(holding name: String) throws(CheckpointError) -> any TensorFile {
        guard let shard = shardOfTensor[name] else {
            throw CheckpointError(.tensorNotFound,
                "\(context): no tensor named \(name) in \(shardOfTensor.isEmpty ? "the checkpoint" : "the weight map")")
        }
        let result: Result<any TensorFile, CheckpointError> = opened.withLock { files in
            if let file = files[shard] { return .success(file) }
            let shardURL = url.appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: shardURL.path) else {
                return .failure(CheckpointError(.missingShard,
                    "\(context): shard \(shard), which holds tensor \(name), does not exist"))
            }
            do throws(CheckpointError) {
                let file = try format.open(shardURL, context: "\(context)/\(shard)")
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
            json = try JSONValue.parse(try FileAccess.read(url.path))
        } catch let error as JSONValueError {
            throw CheckpointError(.malformedIndex, "\(where_): not valid JSON: \(error.reason)")
        } catch {
            throw CheckpointError(.ioFailure, "\(where_): \(FileAccess.reason(error))")
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
