import Foundation
import Testing
@testable import Checkpoints

@Suite struct CheckpointDirectoryTests {
    /// A one-layer GPT-NeoX checkpoint's block weights (hidden 8) with values i / 100.
    static func blockTensors(dtype: SafetensorsDType = .f32) -> [SafetensorsWriter.Tensor] {
        Architecture.gptNeoX.weightMatrixNames(layer: 0).enumerated().map { index, name in
            let shape = [[24, 8], [8, 8], [32, 8], [8, 32]][index]
            return (name: name, shape: shape, dtype: dtype,
                    values: (0..<(shape[0] * shape[1])).map { Float($0 + index) / 100 })
        } + [(name: "gpt_neox.final_layer_norm.bias", shape: [8], dtype: dtype, values: Array(repeating: 0, count: 8))]
    }

    @Test func singleFile() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try SafetensorsWriter.write(tensors: Self.blockTensors(), to: dir.appendingPathComponent("model.safetensors"))
            let checkpoint = try CheckpointDirectory(url: dir)
            #expect(checkpoint.config.hiddenSize == 8)
            #expect(checkpoint.tensorNames.count == 5)
            let qkv = try checkpoint.matrix("gpt_neox.layers.0.attention.query_key_value.weight")
            #expect(qkv.shape == [24, 8] && qkv[1, 0] == 0.08)
        }
    }

    private func writeSharded(in dir: URL, dropShard: Bool = false) throws {
        try write(neoXConfig(), to: dir, "config.json")
        let tensors = Self.blockTensors(dtype: .bf16)
        let shards = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        try SafetensorsWriter.write(tensors: Array(tensors[..<2]), to: dir.appendingPathComponent(shards[0]))
        if !dropShard {
            try SafetensorsWriter.write(tensors: Array(tensors[2...]), to: dir.appendingPathComponent(shards[1]))
        }
        let map = tensors.enumerated().map { "\"\($1.name)\": \"\(shards[$0 < 2 ? 0 : 1])\"" }
        try write("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {\(map.joined(separator: ", "))}}",
                  to: dir, "model.safetensors.index.json")
    }

    @Test func shardedOpensShardsOnDemand() throws {
        try withTemporaryDirectory { dir in
            try writeSharded(in: dir)
            let checkpoint = try CheckpointDirectory(url: dir)
            #expect(checkpoint.tensorNames.count == 5)
            // BF16 of k/100: within 2^-8 relative (round to nearest, 7 fraction bits).
            let out = try checkpoint.matrix("gpt_neox.layers.0.mlp.dense_4h_to_h.weight")
            #expect(out.shape == [8, 32] && abs(out[0, 5] - 0.08) <= 0.08 * 0x1p-8)
            #expect(try checkpoint.tensorInfo("gpt_neox.layers.0.attention.dense.weight").dtype == .bf16)
        }
    }

    @Test func shardedWithMissingShardNamesShardAndTensor() throws {
        try withTemporaryDirectory { dir in
            try writeSharded(in: dir, dropShard: true)
            expectCheckpointError(.missingShard,
                "checkpoint \(dir.lastPathComponent): shard model-00002-of-00002.safetensors, which holds tensor "
                + "gpt_neox.final_layer_norm.bias and others, does not exist") {
                _ = try CheckpointDirectory(url: dir)
            }
        }
    }

    @Test func tensorAbsentFromWeightMap() throws {
        try withTemporaryDirectory { dir in
            try writeSharded(in: dir)
            expectCheckpointError(.tensorNotFound,
                "checkpoint \(dir.lastPathComponent): no tensor named gpt_neox.layers.1.attention.dense.weight in the weight map") {
                _ = try CheckpointDirectory(url: dir).matrix("gpt_neox.layers.1.attention.dense.weight")
            }
        }
    }

    @Test func weightMapPointsAtShardWithoutTheTensor() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try SafetensorsWriter.write(tensors: [(name: "a", shape: [1, 1], dtype: .f32, values: [1])],
                                        to: dir.appendingPathComponent("s1.safetensors"))
            try write(#"{"weight_map": {"a": "s1.safetensors", "b": "s1.safetensors"}}"#, to: dir, "model.safetensors.index.json")
            expectCheckpointError(.tensorNotFound,
                "checkpoint \(dir.lastPathComponent): the weight map puts tensor b in s1.safetensors, which does not hold it") {
                _ = try CheckpointDirectory(url: dir).matrix("b")
            }
        }
    }

    @Test func indexWithoutWeightMap() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try write(#"{"metadata": {}}"#, to: dir, "model.safetensors.index.json")
            expectCheckpointError(.malformedIndex,
                "checkpoint \(dir.lastPathComponent)/model.safetensors.index.json: no \"weight_map\" object") {
                _ = try CheckpointDirectory(url: dir)
            }
        }
    }

    @Test func noWeights() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            expectCheckpointError(.missingWeights,
                "checkpoint \(dir.lastPathComponent) (\(dir.path)): none of model.safetensors, "
                + "model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json is in the directory") {
                _ = try CheckpointDirectory(url: dir)
            }
        }
    }

    @Test func badHeaderNamesCheckpointFileAndTensor() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try write(rawSafetensors(header: #"{"w":{"dtype":"BF16","shape":[200],"data_offsets":[812,1212]}}"#, dataBytes: 400),
                      to: dir, "model.safetensors")
            expectCheckpointError(.rangeOutOfBounds,
                "checkpoint \(dir.lastPathComponent)/model.safetensors: tensor w is BF16 but its byte range 812..1212 "
                + "ends past the data area (400 bytes)") {
                _ = try CheckpointDirectory(url: dir)
            }
        }
    }

    @Test func concurrentReadersShareOneCheckpoint() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSharded(in: dir)
        let checkpoint = try CheckpointDirectory(url: dir)
        let names = Architecture.gptNeoX.weightMatrixNames(layer: 0)
        let shapes = try await withThrowingTaskGroup(of: [Int].self) { group in
            for i in 0..<16 { group.addTask { try checkpoint.matrix(names[i % names.count]).shape } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(shapes.count == 16)
    }
}
