import LinearAlgebra

/// Collects, layer by layer, the pooled row of each sequence, so token-level states of
/// only one layer exist at a time.
struct HiddenStatePooler {
    private(set) var result: [Pooling: [Int: Matrix<Float>]] = [:]
    private let hiddenSize: Int
    private let poolings: Set<Pooling>

    init(batch: [[Int32]], hiddenSize: Int, layers: Set<Int>, poolings: Set<Pooling>) {
        self.hiddenSize = hiddenSize
        self.poolings = poolings
        for pooling in poolings {
            result[pooling] = Dictionary(uniqueKeysWithValues: layers.map { ($0, Matrix<Float>(zeros: batch.count, hiddenSize)) })
        }
    }

    /// Pools hidden-state index `layer` from `states` (packed tokens × hidden).
    mutating func record(_ layer: Int, _ states: UnsafePointer<Float>, _ packed: PackedBatch) {
        let d = hiddenSize
        for pooling in poolings {
            var matrix = result[pooling]![layer]!
            result[pooling]![layer] = nil  // keep the storage uniquely referenced while writing
            matrix.storage.withUnsafeMutableBufferPointer { out in
                for (i, rows) in packed.sequences.enumerated() {
                    let target = out.baseAddress! + i * d
                    switch pooling {
                    case .last:
                        target.update(from: states + (rows.upperBound - 1) * d, count: d)
                    case .mean:
                        // Summed in Double: a mean over hundreds of tokens in Float32 would
                        // lose digits the 1e-4 comparison against torch can see.
                        var sums = [Double](repeating: 0, count: d)
                        for r in rows {
                            let row = states + r * d
                            for j in 0..<d { sums[j] += Double(row[j]) }
                        }
                        for j in 0..<d { target[j] = Float(sums[j] / Double(rows.count)) }
                    }
                }
            }
            result[pooling]![layer] = matrix
        }
    }
}
