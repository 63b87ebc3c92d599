// The Spectra side of tools/bench/forward_bench.sh: loads the checkpoint that
// forward_bench.py made, compares every pooled hidden state with transformers' (max abs
// difference), times the forward pass, and times OpenBLAS sgemm in the same process so the
// forward pass's FLOP rate can be stated as a fraction of it.
import Checkpoints
import CLinalg
import Foundation
import LinearAlgebra
import Models

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// GFLOP/s of C = A B for m × k by k × n float32 (2mnk flops), `calls` calls in a row
/// (small products: the per-call cost shows), median of `rounds`.
func sgemmRate(m: Int, n: Int, k: Int, calls: Int = 1, rounds: Int) -> Double {
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    let run = {
        for _ in 0..<calls {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        }
    }
    run()
    let time = median((0..<rounds).map { _ in seconds(run) })
    return 2 * Double(m) * Double(n) * Double(k) * Double(calls) / time / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: forward-bench DIR [ROUNDS]\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1])
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let batch = try JSONDecoder().decode([[Int32]].self, from: Data(contentsOf: directory.appendingPathComponent("batch.json")))
let tokens = batch.map(\.count).reduce(0, +)

var model: TransformerModel!
let loadTime = try seconds { model = try TransformerModel.load(CheckpointDirectory(url: directory)) }
let layers = Array(0..<model.hiddenStateCount)

// Accuracy against transformers (float32) on the same batch.
let result = try model.pooledHiddenStates(batch, layers: layers, poolings: Pooling.allCases)
var worst: Float = 0
for pooling in Pooling.allCases {
    let file = try NumpyFile(url: directory.appendingPathComponent("\(pooling.rawValue).npy"))
    let perLayer = file.shape[1] * file.shape[2]
    file.withElements { elements in
        guard case .float32(let expected) = elements else { return }
        for layer in layers {
            for (i, value) in result[pooling]![layer]!.storage.enumerated() {
                worst = max(worst, abs(value - expected[layer * perLayer + i]))
            }
        }
    }
}

// The machine is shared, so each timed forward pass is paired with an sgemm measured
// just before it, and the fraction is taken per pair.
let c = model.config
// 2 × non-embedding parameters per token, the convention of docs/benchmarks.md.
let parameters = Double(c.layerCount) * Double(4 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * c.intermediateSize)
var times: [Double] = [], squares: [Double] = [], fractions: [Double] = []
for _ in 0..<rounds {
    let square = sgemmRate(m: 4096, n: 4096, k: 4096, rounds: 1)
    let time = try seconds { _ = try model.pooledHiddenStates(batch, layers: layers, poolings: Pooling.allCases) }
    times.append(time)
    squares.append(square)
    fractions.append(2 * parameters * Double(tokens) / time / 1e9 / square)
}
let forward = median(times)
let forwardRate = 2 * parameters * Double(tokens) / forward / 1e9
let square = median(squares)
let shaped = sgemmRate(m: tokens, n: c.intermediateSize, k: c.hiddenSize, rounds: 3)
// One layer's attention products: a 128 × 128 × head_dim product per sequence and head.
let length = batch.first?.count ?? 0
let attention = sgemmRate(m: length, n: length, k: c.headDimension, calls: batch.count * c.headCount, rounds: 3)
print(String(format: "spectra threads %d: %d x %d tokens, load %.2f s, median %.3f s of %d, %.0f tokens/s, max |diff| vs transformers %.2e",
             BLASThreads.count, batch.count, batch.first?.count ?? 0, loadTime, forward, rounds, Double(tokens) / forward, Double(worst)))
print(String(format: "forward %.1f GFLOP/s; sgemm 4096^3 %.1f GFLOP/s (median of per-round fractions %.2f); sgemm %dx%dx%d %.1f GFLOP/s",
             forwardRate, square, median(fractions), tokens, c.intermediateSize, c.hiddenSize, shaped))
print("per round: " + zip(times, squares).map { String(format: "%.2f s / sgemm %.0f GFLOP/s", $0, $1) }.joined(separator: "; "))
print(String(format: "sgemm %dx%dx%d called %d times (attention-shaped) %.1f GFLOP/s",
             length, length, c.headDimension, batch.count * c.headCount, attention))
