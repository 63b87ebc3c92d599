import Foundation
import Testing
@testable import Checkpoints

let torchFixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/torch", isDirectory: true)

/// Reading checkpoints written by torch.save (tools/make_torch_fixtures.py, torch 2.13.0).
@Suite struct TorchCheckpointTests {
    /// views.json: each tensor's shape and values as torch itself reads them.
    private struct Expected: Decodable {
        let shape: [Int]
        let dtype: String
        let contiguous: Bool
        let values: [Double]?
    }

    private func oracle(_ name: String) throws -> [String: Expected] {
        try JSONDecoder().decode([String: Expected].self,
                                 from: Data(contentsOf: torchFixtures.appendingPathComponent("\(name).json")))
    }

    /// Oracle: torch's own `.double()` of each tensor. Tolerance: none — F32, F16 and BF16
    /// widen to Double exactly, and Float(Double) is the one rounding both sides make for F64.
    /// `linear` is a module's state_dict() as saved, whose pickle ends with BUILD (_metadata).
    @Test(arguments: ["views", "linear"]) func tensorsMatchTorch(fixture: String) throws {
        let file = try TorchCheckpointFile(url: torchFixtures.appendingPathComponent("\(fixture).bin"))
        let expected = try oracle(fixture)
        #expect(Set(file.tensorNames) == Set(expected.keys))
        let dtypes = ["float32": SafetensorsDType.f32, "float16": .f16, "bfloat16": .bf16, "float64": .f64, "bool": .bool]
        for (name, want) in expected {
            let info = try file.info(name)
            #expect(info.shape == want.shape, "\(name)")
            #expect(info.dtype == dtypes[want.dtype], "\(name)")
            guard let values = want.values else { continue }
            let read = try file.tensor(name)
            #expect(read.shape == want.shape, "\(name)")
            #expect(read.values == values.map { Float($0) }, "\(name)")
        }
        guard fixture == "views" else { return }
        // The fixture really exercises strided reads of a shared storage.
        #expect(expected["matrix_t"]?.contiguous == false && expected["corner"]?.contiguous == false)
        #expect(try file.info("matrix").byteRange == file.info("matrix_t").byteRange)
    }

    @Test func transposedViewIsTheTranspose() throws {
        let file = try TorchCheckpointFile(url: torchFixtures.appendingPathComponent("views.bin"))
        let matrix = try file.matrix("matrix"), transposed = try file.matrix("matrix_t")
        #expect(transposed.rows == matrix.columns && transposed.columns == matrix.rows)
        for i in 0 ..< matrix.rows {
            for j in 0 ..< matrix.columns { #expect(matrix[i, j] == transposed[j, i]) }
        }
    }

    @Test func boolTensorIsListedButNotRead() throws {
        let file = try TorchCheckpointFile(url: torchFixtures.appendingPathComponent("views.bin"))
        let url = torchFixtures.appendingPathComponent("views.bin")
        expectCheckpointError(.unsupportedDType,
            "PyTorch checkpoint \(url.path): tensor mask is BOOL; only F64, F32, F16 and BF16 tensors can be read as Float32") {
            _ = try file.tensor("mask")
        }
        expectCheckpointError(.notAMatrix,
            "PyTorch checkpoint \(url.path): tensor param has shape [5] (1-D), not a 2-D matrix") {
            _ = try file.matrix("param")
        }
    }

    /// Oracle: the same state dict saved by safetensors. Tolerance: none (both F32).
    @Test func shardedBinMatchesSafetensors() throws {
        let neox = torchFixtures.appendingPathComponent("neox")
        let safetensors = try SafetensorsFile(url: neox.appendingPathComponent("model.safetensors"))
        try withTemporaryDirectory { dir in
            for name in ["config.json", "pytorch_model.bin.index.json",
                         "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"] {
                try FileManager.default.copyItem(at: neox.appendingPathComponent(name), to: dir.appendingPathComponent(name))
            }
            let checkpoint = try CheckpointDirectory(url: dir)
            #expect(checkpoint.format == .pytorch)
            #expect(checkpoint.tensorNames == safetensors.tensorNames)
            for name in safetensors.tensorNames {
                #expect(try checkpoint.tensorInfo(name).shape == safetensors.info(name).shape)
                #expect(try checkpoint.tensor(name).values == safetensors.tensor(name).values, "\(name)")
            }
            #expect(CheckpointDirectory.exists(at: dir))
        }
    }

    @Test func safetensorsPreferredOverBin() throws {
        let checkpoint = try CheckpointDirectory(url: torchFixtures.appendingPathComponent("neox"))
        #expect(checkpoint.format == .safetensors)
    }

    @Test func singleBinInDirectory() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try FileManager.default.copyItem(at: torchFixtures.appendingPathComponent("views.bin"),
                                             to: dir.appendingPathComponent("pytorch_model.bin"))
            let checkpoint = try CheckpointDirectory(url: dir)
            #expect(checkpoint.format == .pytorch)
            #expect(try checkpoint.matrix("corner").storage == [0.5, 0.75, 1.5, 1.75])
        }
    }

    @Test func missingBinShardNamesTensor() throws {
        try withTemporaryDirectory { dir in
            try write(neoXConfig(), to: dir, "config.json")
            try write(#"{"weight_map": {"w": "pytorch_model-00001-of-00001.bin"}}"#, to: dir, "pytorch_model.bin.index.json")
            expectCheckpointError(.missingShard,
                "checkpoint \(dir.lastPathComponent): shard pytorch_model-00001-of-00001.bin, which holds tensor w and others, does not exist") {
                _ = try CheckpointDirectory(url: dir)
            }
        }
    }
}
