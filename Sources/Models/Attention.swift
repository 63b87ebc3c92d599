import LinearAlgebra
import Foundation
internal import CLinalg

/// Causal self-attention over packed sequences: the rows of each sequence are contiguous
/// and attend only to earlier rows of the same sequence, so there is no padding to mask
/// and a padded batch gives exactly what each sequence gives alone.
enum Attention {
    /// At most this many score Floats (64 MiB) are held at once; long sequences take
    /// their heads a few at a time.
    static let scoreCapacity = 1 << 24

    /// How many heads' n × n scores fit in the score buffer at once.
    static func headsPerPass(heads: Int, longest n: Int, capacity: Int = scoreCapacity) -> Int {
        max(1, min(heads, capacity / max(1, n * n)))
    }

    /// Writes each head's output into `context` (row stride `ldc`, head h at columns
    /// h · head_dim) from the rotated q, k, v in `qkv` (row stride `layout.width`).
    /// `scores` holds `headsPerPass(heads:longest:)` × n × n Floats for the longest n.
    /// With a `window`, a token attends only to itself and the `window − 1` tokens before it.
    static func run(qkv: UnsafePointer<Float>, layout: QKVLayout, sequences: [Range<Int>],
                    scores: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>, ldc: Int,
                    window: Int? = nil, capacity: Int = scoreCapacity) {
        let dh = layout.headDimension, width = layout.width
        let groupSize = layout.heads / layout.keyValueHeads
        let scale = 1 / Float(dh).squareRoot()
        let longest = sequences.map(\.count).max() ?? 0
        let chunk = headsPerPass(heads: layout.heads, longest: longest, capacity: capacity)
        for sequence in sequences {
            let n = sequence.count, base = qkv + sequence.lowerBound * width
            for first in stride(from: 0, to: layout.heads, by: chunk) {
                let heads = first..<min(first + chunk, layout.heads)
                for h in heads {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(dh),
                                scale, base + layout.query(h), Int32(width), base + layout.key(h / groupSize), Int32(width),
                                0, scores + (h - first) * n * n, Int32(n))
                }
                causalSoftmax(scores, heads: heads.count, n: n, window: window)
                for h in heads {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(dh), Int32(n),
                                1, scores + (h - first) * n * n, Int32(n), base + layout.value(h / groupSize), Int32(width),
                                0, context + sequence.lowerBound * ldc + h * dh, Int32(ldc))
                }
            }
        }
    }

    /// Row i of each head's n × n scores becomes softmax over columns 0...i (over
    /// i − window + 1 ... i with a window, as transformers' mask `j > i − window`), zeros elsewhere.
    static func causalSoftmax(_ scores: UnsafeMutablePointer<Float>, heads: Int, n: Int, window: Int? = nil) {
        Parallel.rows(heads * n, work: heads * n * n / 2) { range in
            for row in range {
                let i = row % n, p = scores + row * n
                let first = window.map { max(0, i - $0 + 1) } ?? 0
                var maximum = -Float.infinity
                for j in first...i { maximum = max(maximum, p[j]) }
                var total: Float = 0
                for j in first...i {
                    let e = expf(p[j] - maximum)
                    p[j] = e
                    total += e
                }
                let inverse = 1 / total
                for j in first...i { p[j] *= inverse }
                if first > 0 { p.update(repeating: 0, count: first) }
                if i + 1 < n { (p + i + 1).update(repeating: 0, count: n - i - 1) }
            }
        }
    }
}
