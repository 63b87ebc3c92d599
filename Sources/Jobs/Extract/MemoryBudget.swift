import Checkpoints
import Foundation
import SpectraBase

/// What an extract (or `spectra activations`) will allocate, estimated from the config
/// before a byte of weights is read, so a model too big for the machine fails its job
/// with both numbers instead of being killed by the kernel halfway through loading.
///
/// Counted: the weights the forward pass keeps, as Float32 (the dtype they are held in,
/// whatever the checkpoint stores), the forward pass's workspace for one batch, and the
/// pooled rows kept for the whole probe (twice, as the final matrices are copied out).
/// Not counted: the process itself and the page cache of mapped checkpoint files, which the
/// kernel can reclaim. All arithmetic is overflow-checked: an absurd config gives nil.
public struct MemoryNeed: Sendable, Equatable {
    public var weightBytes: Int
    public var workspaceBytes: Int
    public var pooledBytes: Int

    public var totalBytes: Int? { CheckedSize.sum(weightBytes, workspaceBytes, pooledBytes) }

    /// The estimate for `samples` probe sequences of at most `maxTokens` tokens, run
    /// `batch` at a time, pooled at `layers` hidden states × `poolings`; nil when a size
    /// overflows Int (then no machine has it).
    public static func estimate(_ config: ModelConfig, samples: Int, maxTokens: Int, batch: Int,
                                layers: Int, poolings: Int) -> MemoryNeed? {
        let h = config.hiddenSize, i = config.intermediateSize
        let gated = config.architecture != .gptNeoX
        typealias Size = CheckedSize
        guard let qkvWidth = Size.product([config.headCount + 2 * config.keyValueHeadCount, config.headDimension]),
              let mlpWidth = Size.product([gated ? 2 : 1, i]) else { return nil }
        // Per block: q/k/v, output, MLP in and out, their biases and two or four norms.
        guard let attention = Size.sum([Size.product([h, qkvWidth]), Size.product([config.attentionWidth, h])]),
              let mlp = Size.sum([Size.product([h, mlpWidth]), Size.product([i, h])]),
              let small = Size.sum([qkvWidth, mlpWidth, Size.product([6, h])]),
              let block = Size.sum([attention, mlp, small]),
              let blocks = Size.product([config.layerCount, block]),
              let weights = Size.sum([Size.product([config.vocabSize, h]), blocks, Size.product([2, h])]) else { return nil }

        let tokens = Size.product([max(1, min(batch, samples)), maxTokens])
        let longest = maxTokens
        // Attention scores are capped by the forward pass (Attention.scoreCapacity, 2^24
        // Floats) but never exceed one n × n matrix per head.
        let scores = Size.product([config.headCount, longest, longest]).map { min($0, 1 << 24) } ?? (1 << 24)
        guard let tokens,
              let workspace = Size.sum([Size.product([4, tokens, h]), Size.product([tokens, qkvWidth]),
                                        Size.product([tokens, config.attentionWidth]), Size.product([tokens, mlpWidth]),
                                        gated ? Size.product([tokens, i]) : 0, scores]),
              let pooled = Size.product([2, samples, h, layers, poolings]) else { return nil }
        let floatSize = MemoryLayout<Float>.size
        guard let weightBytes = Size.product([weights, floatSize]), let workspaceBytes = Size.product([workspace, floatSize]),
              let pooledBytes = Size.product([pooled, floatSize]) else { return nil }
        let need = MemoryNeed(weightBytes: weightBytes, workspaceBytes: workspaceBytes, pooledBytes: pooledBytes)
        return need.totalBytes == nil ? nil : need
    }
}

/// How much memory this process may still take: the smaller of the kernel's estimate of
/// what can be allocated without swapping (MemAvailable in /proc/meminfo) and the room
/// left under the container's cgroup limit (v2: memory.max − memory.current; v1:
/// memory.limit_in_bytes − memory.usage_in_bytes). Files are read under `root`, so tests
/// point it at fixtures.
public struct AvailableMemory: Sendable, Equatable {
    public enum Source: String, Sendable {
        case meminfo = "MemAvailable"
        case cgroup = "cgroup limit"
    }

    public var bytes: Int
    public var source: Source

    public init(bytes: Int, source: Source) {
        self.bytes = bytes
        self.source = source
    }

    /// Reads the machine's numbers under `root` ("/" in production); nil when neither
    /// /proc/meminfo nor a cgroup limit can be read (not Linux): then nothing is checked.
    public static func read(root: URL = URL(fileURLWithPath: "/")) -> AvailableMemory? {
        let meminfo = contents(root, "proc/meminfo").flatMap(parseMemAvailable)
        let cgroup = cgroupRoom(root)
        switch (meminfo, cgroup) {
        case let (m?, c?): return c < m ? AvailableMemory(bytes: c, source: .cgroup) : AvailableMemory(bytes: m, source: .meminfo)
        case let (m?, nil): return AvailableMemory(bytes: m, source: .meminfo)
        case let (nil, c?): return AvailableMemory(bytes: c, source: .cgroup)
        case (nil, nil): return nil
        }
    }

    /// `MemAvailable:  8123456 kB` → bytes.
    static func parseMemAvailable(_ text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            let unit = fields.count >= 3 ? fields[2] : "kB"
            guard unit == "kB" else { return nil }
            return CheckedSize.product(kib, 1024)
        }
        return nil
    }

    /// The room under the cgroup's limit; nil when unlimited or unreadable.
    static func cgroupRoom(_ root: URL) -> Int? {
        // v2: the process's own cgroup when /proc/self/cgroup names one that is mounted,
        // else the mount's root (a container's namespace makes that its own cgroup).
        var v2Directories = ["sys/fs/cgroup"]
        if let own = contents(root, "proc/self/cgroup")?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) {
            let path = own.dropFirst(3).trimmingCharacters(in: .whitespaces)
            if path != "/" && !path.isEmpty { v2Directories.insert("sys/fs/cgroup" + path, at: 0) }
        }
        for directory in v2Directories {
            guard let limit = contents(root, directory + "/memory.max") else { continue }
            guard let max = parseBytes(limit) else { return nil }  // "max": no limit
            let current = contents(root, directory + "/memory.current").flatMap(parseBytes) ?? 0
            return Swift.max(0, max - current)
        }
        if let limit = contents(root, "sys/fs/cgroup/memory/memory.limit_in_bytes").flatMap(parseBytes) {
            // v1 writes "no limit" as a huge number near Int64.max.
            guard limit < 1 << 60 else { return nil }
            let usage = contents(root, "sys/fs/cgroup/memory/memory.usage_in_bytes").flatMap(parseBytes) ?? 0
            return Swift.max(0, limit - usage)
        }
        return nil
    }

    /// A byte count as the cgroup files write it; nil for "max" or anything else.
    static func parseBytes(_ text: String) -> Int? {
        Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func contents(_ root: URL, _ path: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }
}

/// A model that does not fit the memory this worker has. Not permanent: a worker on a
/// bigger machine may claim the job next.
public struct InsufficientMemoryError: Error, CustomStringConvertible {
    public let description: String
}

public enum MemoryCheck {
    /// Throws when `need` exceeds `available`, naming both ("needs 26.1 GB, 7.9 GB
    /// available (cgroup limit)"); nothing is checked when `available` is unknown.
    public static func require(_ need: MemoryNeed?, available: AvailableMemory?, what: String) throws(InsufficientMemoryError) {
        guard let available else { return }
        guard let need, let total = need.totalBytes else {
            throw InsufficientMemoryError(description: "\(what): the model's size overflows a 64-bit byte count; \(gigabytes(available.bytes)) available (\(available.source.rawValue))")
        }
        guard total > available.bytes else { return }
        throw InsufficientMemoryError(description:
            "\(what): needs \(gigabytes(total)), \(gigabytes(available.bytes)) available (\(available.source.rawValue)); "
            + "not loading it (weights \(gigabytes(need.weightBytes)) as float32, activations \(gigabytes(need.workspaceBytes + need.pooledBytes)))")
    }

    /// Bytes in decimal units with one decimal: 26_100_000_000 → "26.1 GB", 6_600_000 →
    /// "6.6 MB" (small fixtures would all read "0.0 GB").
    public static func gigabytes(_ bytes: Int) -> String {
        Double(bytes) >= 1e9 ? String(format: "%.1f GB", Double(bytes) / 1e9) : String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
