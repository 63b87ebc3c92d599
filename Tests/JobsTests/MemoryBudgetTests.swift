import Checkpoints
import Foundation
@testable import Jobs
import SpectraTestSupport
import Testing

/// The memory check before a model is loaded: what the machine has (meminfo and cgroup
/// files read from fixtures under Tests/Fixtures/memory), what a config needs, and the
/// failure that names both.
@Suite("Memory budget")
struct MemoryBudgetTests {
    static let fixtures = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/memory")
    static let neox = SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/models/gpt-neox")

    @Test("available memory: the smaller of MemAvailable and the room under the cgroup v2 or v1 limit")
    func readsMeminfoAndCgroups() throws {
        let memAvailable = 31_250_000 * 1024
        #expect(AvailableMemory.read(root: Self.fixtures.appendingPathComponent("cgroup-v2"))
                == AvailableMemory(bytes: 8_589_934_592 - 1_073_741_824, source: .cgroup))
        #expect(AvailableMemory.read(root: Self.fixtures.appendingPathComponent("cgroup-v2-nested"))
                == AvailableMemory(bytes: 1_000_000_000, source: .cgroup), "the process's own cgroup, from /proc/self/cgroup")
        #expect(AvailableMemory.read(root: Self.fixtures.appendingPathComponent("cgroup-v1"))
                == AvailableMemory(bytes: 12_000_000_000, source: .cgroup))
        #expect(AvailableMemory.read(root: Self.fixtures.appendingPathComponent("unlimited"))
                == AvailableMemory(bytes: memAvailable, source: .meminfo), "memory.max 'max' is no limit")
        #expect(AvailableMemory.read(root: URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)")) == nil)
    }

    @Test("meminfo and cgroup parsing refuses what it cannot read")
    func parsing() {
        #expect(AvailableMemory.parseMemAvailable("MemTotal: 10 kB\nMemAvailable:      2048 kB\n") == 2048 * 1024)
        #expect(AvailableMemory.parseMemAvailable("MemTotal: 10 kB\n") == nil)
        #expect(AvailableMemory.parseMemAvailable("MemAvailable: lots kB\n") == nil)
        #expect(AvailableMemory.parseMemAvailable("MemAvailable: 99999999999999999 kB\n") == nil, "overflow is not a number")
        #expect(AvailableMemory.parseBytes("max\n") == nil)
        #expect(AvailableMemory.parseBytes("1234\n") == 1234)
    }

    @Test("the weights estimate equals the fixture checkpoint's tensors (all but the LM head) as float32")
    func weightsMatchTheCheckpoint() throws {
        let config = try ModelConfig.load(directory: Self.neox)
        let file = try SafetensorsFile(url: Self.neox.appendingPathComponent("model.safetensors"))
        // Oracle: the element count of every tensor the forward pass loads, from the file.
        var elements = 0
        for name in file.tensorNames where name != "embed_out.weight" {
            elements += try file.tensor(name).values.count
        }
        let need = try #require(MemoryNeed.estimate(config, samples: 10, maxTokens: 16, batch: 4, layers: 4, poolings: 2))
        #expect(need.weightBytes == elements * 4, "estimate \(need.weightBytes / 4) vs file \(elements) elements")
        #expect(need.pooledBytes == 2 * 10 * config.hiddenSize * 4 * 2 * 4)
        #expect(need.workspaceBytes > 4 * 4 * 16 * config.hiddenSize * 4, "at least the four residual-width buffers")
    }

    @Test("a Llama-2-7B shaped config needs about 26 GB as float32; overflowing sizes give nil, not a trap")
    func largeAndAbsurdConfigs() throws {
        var config = try ModelConfig.load(directory: Self.neox)
        (config.hiddenSize, config.intermediateSize, config.layerCount, config.vocabSize) = (4096, 11008, 32, 32000)
        (config.headCount, config.keyValueHeadCount, config.headDimension) = (32, 32, 128)
        config.architecture = .llama
        let need = try #require(MemoryNeed.estimate(config, samples: 1000, maxTokens: 256, batch: 8, layers: 33, poolings: 2))
        // 6.61e9 parameters without the LM head (6.74e9 with it, as published) × 4 bytes.
        #expect(abs(Double(need.weightBytes) / 1e9 - 26.43) < 0.01, "\(need.weightBytes)")
        config.hiddenSize = 1 << 59  // the issue's reproduction: hidden_size ≥ 2^59 trapped the planner
        #expect(MemoryNeed.estimate(config, samples: 1000, maxTokens: 256, batch: 8, layers: 33, poolings: 2) == nil)
        #expect(throws: InsufficientMemoryError.self) {
            try MemoryCheck.require(nil, available: AvailableMemory(bytes: 1 << 30, source: .meminfo), what: "m")
        }
    }

    @Test("a model that needs more than the machine has fails before loading, with both numbers")
    func tooLittleMemoryFailsWithBothNumbers() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("memory-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let probe = out.appendingPathComponent("probe.txt")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "The quick brown fox jumps over the lazy dog.\nA second line of probe text.\n".write(to: probe, atomically: true, encoding: .utf8)
        var request = ActivationsRequest(checkpoint: Self.neox.path, textFile: probe.path, maxTokens: 16,
                                         tokenizer: SpectraExecutable.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer/tokenizer.json").path,
                                         output: out.appendingPathComponent("acts").path)
        // A 100 kB cgroup: the fixture's weights alone are larger.
        request.availableMemory = { AvailableMemory(bytes: 100_000, source: .cgroup) }
        do {
            _ = try request.run()
            Issue.record("the run went ahead")
        } catch let error as PipelineError {
            #expect(error.code == .insufficientMemory)
            #expect(error.message.contains(" MB, 0.1 MB available (cgroup limit); not loading it"), "\(error.message)")
            #expect(error.message.hasPrefix("checkpoint \(Self.neox.path): needs "), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("acts").path), "nothing written")
        // With room to spare, the same request runs.
        request.availableMemory = { AvailableMemory(bytes: 1 << 40, source: .meminfo) }
        #expect(try request.run().files.count == 4)
    }

    @Test("sizes are decimal with one digit, in GB or, below 1 GB, MB")
    func formatting() {
        #expect(MemoryCheck.gigabytes(26_100_000_000) == "26.1 GB")
        #expect(MemoryCheck.gigabytes(7_949_999_999) == "7.9 GB")
        #expect(MemoryCheck.gigabytes(100_000) == "0.1 MB")
    }
}
