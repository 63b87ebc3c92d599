// Times Spectra's engine on one .npy matrix, for tools/bench/spectral_bench.py.
// Built by build_bench.sh against the release build's LinearAlgebra objects, so the
// numbers are the product's code, not a copy. Prints one JSON line; writes the
// eigenvalues (little-endian Float64) to --out.
//
// Usage: spectra-bench FILE.npy --method exact|randomized [--precision auto|float32|float64]
//        [--rank K] [--algorithm subspace|krylov] [--iterations Q] [--oversampling P]
//        [--repeats R] [--out FILE]
//        spectra-bench --gemm N | --syrk N D   (sgemm / ssyrk FLOP/s of the same OpenBLAS)
import Foundation
import LinearAlgebra
import CLinalg

/// Median-free single timing of one BLAS kernel on random data (after one warm-up call).
enum BLASKernelTiming {
    static func sgemm(order n: Int) throws -> Double {
        let a = (0..<(n * n)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        var c = [Float](repeating: 0, count: n * n)
        let run = { cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a, Int32(n), 0, &c, Int32(n)) }
        run()
        return seconds(run)
    }

    /// The exact path's Gram: ssyrk of a row-major n × d matrix (column-major d × n).
    static func ssyrk(rows n: Int, columns d: Int) throws -> Double {
        let a = (0..<(n * d)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        var c = [Float](repeating: 0, count: d * d)
        let run = { cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(d), Int32(n), 1, a, Int32(d), 0, &c, Int32(d)) }
        run()
        return seconds(run)
    }
}

func argument(_ name: String) -> String? {
    guard let i = CommandLine.arguments.firstIndex(of: name), i + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[i + 1]
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

if let text = argument("--gemm"), let n = Int(text) {
    let t = try BLASKernelTiming.sgemm(order: n)
    print("{\"kernel\":\"sgemm\",\"n\":\(n),\"seconds\":\(t),\"gflops\":\(2 * pow(Double(n), 3) / t / 1e9),\"threads\":\(BLASThreads.count)}")
    exit(0)
}
if let text = argument("--syrk"), let n = Int(text), let d = Int(CommandLine.arguments.last!) {
    let t = try BLASKernelTiming.ssyrk(rows: n, columns: d)
    print("{\"kernel\":\"ssyrk\",\"n\":\(n),\"d\":\(d),\"seconds\":\(t),\"gflops\":\(Double(n) * Double(d) * Double(d + 1) / t / 1e9),\"threads\":\(BLASThreads.count)}")
    exit(0)
}

let path = CommandLine.arguments[1]
let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
let headerLength = Int(data[8]) | Int(data[9]) << 8
let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
let shape = header.split(separator: "(")[1].split(separator: ")")[0].split(separator: ",")
    .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
precondition(header.contains("<f4") && !header.contains("'fortran_order': True"), "bench reads C-order float32")

var options = SpectrumOptions(method: SpectrumMethod(rawValue: argument("--method") ?? "exact")!,
                              maxComponents: Int(argument("--max-components") ?? "2048")!,
                              precision: GramPrecision(rawValue: argument("--precision") ?? "auto")!)
if let rank = argument("--rank") { options.rank = Int(rank)! }
if let a = argument("--algorithm") { options.randomized.algorithm = RandomizedAlgorithm(rawValue: a)! }
if let q = argument("--iterations") { options.randomized.iterations = Int(q)! }
if let p = argument("--oversampling") { options.randomized.oversampling = Int(p)! }
if let b = argument("--block") { options.randomized.blockSize = Int(b)! }
let repeats = Int(argument("--repeats") ?? "1")!

var times = [Double]()
var result: CovarianceSpectrumResult? = nil
try data.withUnsafeBytes { raw in
    let floats = UnsafeBufferPointer(start: (raw.baseAddress! + 10 + headerLength).assumingMemoryBound(to: Float.self),
                                     count: shape[0] * shape[1])
    // Touch every page once so the first repeat does not time the page faults of the
    // memory-mapped input (numpy's peers get their input already in memory too).
    var sink: Float = 0
    for i in stride(from: 0, to: floats.count, by: 1024) { sink += floats[i] }
    if sink.isNaN { print("") }
    for _ in 0..<repeats {
        times.append(try seconds {
            result = try CovarianceSpectrum.compute(elements: floats, rows: shape[0], columns: shape[1],
                                                   order: .rowMajor, options: options)
        })
    }
}
let r = result!
if let out = argument("--out") {
    try r.eigenvalues.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: out)) }
}
let median = times.sorted()[times.count / 2]
let estimate = r.errorEstimate.map { String($0) } ?? "null"
print("{\"seconds\":\(median),\"all\":\(times),\"method\":\"\(r.method.rawValue)\",\"precision\":\"\(r.precision?.rawValue ?? "none")\",\"count\":\(r.eigenvalues.count),\"error_estimate\":\(estimate),\"threads\":\(BLASThreads.count)}")
