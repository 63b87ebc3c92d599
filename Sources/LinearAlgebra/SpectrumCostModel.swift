#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses exact or randomized for `--method auto`, from flop counts and memory.
///
/// Costs are in sgemm-equivalent flops; the measured rates behind the weights are in
/// docs/benchmarks.md (2 cores, OpenBLAS 0.3.21):
/// - exact: syrk M·m² (m = min(N, d), M = max) at the gemm rate, plus the
///   eigenvalues-only two-stage solve, ~(4/3)m³ flops at about a quarter of the gemm
///   rate (it is partly BLAS-2) — weight 4, hence `16/3 · m³`. Float64 doubles both.
/// - randomized with sketch width w = rank + oversampling and q iterations: 2q + 2
///   products of 2·N·d·w flops (range finder and Bᵀ = XcᵀQ, which block Krylov mostly
///   reuses from its iterations), one of width `rank` for the residuals, plus
///   orthonormalization, ~4·max(N, d)·w² per block (block Krylov: against all earlier
///   blocks, twice).
/// Randomized is chosen when it is predicted at least 2× cheaper (its answer is an
/// approximation, so a near tie goes to exact), or when the exact Gram does not fit in
/// the memory budget.
public struct SpectrumCostModel: Sendable {
    /// Bytes the exact path may use for its Gram and Float64 copy.
    public var memoryBudget: Int

    public init(memoryBudget: Int = SpectrumCostModel.defaultMemoryBudget()) {
        self.memoryBudget = memoryBudget
    }

    /// Half the physical memory: the other half is left to the input's page cache and
    /// the rest of the process.
    public static func defaultMemoryBudget() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 8 << 30 }
        return Int(pages) * Int(size) / 2
    }

    public func exactFlops(samples n: Int, features d: Int) -> Double {
        let m = Double(min(n, d)), big = Double(max(n, d))
        return big * m * m + 16.0 / 3.0 * m * m * m
    }

    public func randomizedFlops(samples n: Int, features d: Int, rank: Int, options: RandomizedOptions) -> Double {
        let m = min(n, d)
        let q = Double(max(0, options.iterations))
        let perColumn = 2 * Double(n) * Double(d)
        let tall = Double(max(n, d))
        switch options.algorithm {
        case .subspaceIteration:
            let w = Double(min(rank + options.oversampling, m))
            return ((2 * q + 2) * w + Double(rank)) * perColumn + (2 * q + 1) * 4 * tall * w * w
        case .blockKrylov:
            // Block j is projected against j earlier blocks twice: Σ 4·N·b·(j·b); the
            // Rayleigh–Ritz step works on all (q + 1)·b columns.
            let b = Double(min(options.blockSize(rank: rank), m))
            let width = (q + 1) * b
            return ((2 * q + 2) * b + Double(rank)) * perColumn + (q + 1) * 4 * tall * b * b
                + 2 * q * (q + 1) * tall * b * b + 2 * Double(d) * width * width
        }
    }

    /// Bytes of the exact path's largest allocations: the Gram, and in Float64 a copy of Xc
    /// (auto and mixed solve in Float32 and refine from blocks of the Float32 copy).
    public func exactBytes(samples n: Int, features d: Int, precision: GramPrecision) -> Int {
        let m = min(n, d)
        return precision == .float64 ? 8 * m * m + 8 * n * d : 4 * m * m
    }

    /// The method `auto` resolves to for an N × d matrix and a wanted rank.
    public func choose(samples n: Int, features d: Int, rank: Int, options: RandomizedOptions,
                       precision: GramPrecision = .auto) -> SpectrumMethod {
        let m = min(n, d)
        // A sketch as wide as the matrix's smaller side is the exact problem, only slower.
        if rank + options.oversampling >= m / 2 { return .exact }
        let fits = exactBytes(samples: n, features: d, precision: precision) <= memoryBudget
        if !fits { return .randomized }
        let exact = exactFlops(samples: n, features: d)
        let randomized = randomizedFlops(samples: n, features: d, rank: rank, options: options)
        return randomized * 2 <= exact ? .randomized : .exact
    }
}
