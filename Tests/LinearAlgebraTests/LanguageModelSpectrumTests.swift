import CLinalg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpectraTestSupport
import Testing
@testable import LinearAlgebra

/// Matrices shaped like a language model's representations: a power-law bulk along
/// rotated directions, three outlier channels ×100, ×50, ×25 above the bulk's largest
/// eigenvalue, and column means that are nonzero everywhere and large on those channels
/// (tools/bench/lm_spectra.py builds the same at benchmark sizes).
@Suite struct LanguageModelSpectrumTests {
    static func matrix(samples n: Int, features d: Int, alpha: Double, ratio: Double, seed: UInt64) throws -> Matrix<Float> {
        var g = SeededGaussian(seed: seed)
        var rotation = g.samples(d * d)
        try Orthonormal.basis(&rotation, rows: d, columns: d)
        var scores = g.samples(n * d)
        for i in 0..<n { for j in 0..<d { scores[i * d + j] *= Float(pow(Double(j + 1), -alpha / 2)) } }
        // Row-major X = scores · Rᵀ: column-major Xᵀ (d × N) = R · scoresᵀ.
        var x = [Float](repeating: 0, count: n * d)
        cblas_sgemm_rowMajorProduct(scores, rotation, &x, n: n, d: d)
        let channels = [7, d / 3, d - 5]
        let means = g.samples(d)
        let spikes = g.samples(n * 3)
        for i in 0..<n {
            for j in 0..<d { x[i * d + j] += 0.5 * means[j] }
            for (o, c) in channels.enumerated() {
                let spread = Float((ratio * pow(0.5, Double(o))).squareRoot())
                x[i * d + c] += spread * (spikes[i * 3 + o] + 5)
            }
        }
        return try Matrix(rows: n, columns: d, storage: x)
    }

    static let lm = try! matrix(samples: 3000, features: 512, alpha: 1.8, ratio: 100, seed: 11)
    static let truth = try! CovarianceSpectrum.compute(lm, options: SpectrumOptions(method: .exact, precision: .float64,
                                                                                  includeRawSingularValues: true))

    // Oracle: the Float64 path (dsyrk + dsytrd + dsterf, itself checked against
    // scikit-learn). λ₁/λ₅₁₂ ≈ 1e8 here, far past what Float32 resolves. Tolerances: the
    // top 100 and RankMe's entropy within 1e-8 relative (measured 4e-10: Float64
    // Rayleigh–Ritz over deflated Float32 vectors); every eigenvalue within 1e-3 relative
    // (the Float32 bulk's round-off, measured 9e-5 at the deepest of the 512).
    @Test func mixedPrecisionMatchesFloat64OnAnIllConditionedSpectrum() throws {
        let kappa = Self.truth.eigenvalues[0] / Self.truth.eigenvalues.last!
        #expect(kappa > 1e7)
        let got = try CovarianceSpectrum.compute(Self.lm, options: SpectrumOptions(method: .exact, includeRawSingularValues: true))
        #expect(got.precision == .mixed)
        #expect(maxRelativeError(got.eigenvalues, Self.truth.eigenvalues, count: 100) < 1e-8)
        #expect(maxRelativeError(got.eigenvalues, Self.truth.eigenvalues) < 1e-3)
        #expect(abs(entropy(got.eigenvalues) / entropy(Self.truth.eigenvalues) - 1) < 1e-8)
        // The raw spectrum (Garrido's RankMe) from the same reduction, not refined: its
        // bulk carries the Float32 round-off ε₃₂·λ_bulk (top 100 measured 1.05e-6, so
        // 1e-5); its entropy within 1e-6 (measured 3e-8).
        let raw = try #require(got.rawSingularValues), rawTruth = try #require(Self.truth.rawSingularValues)
        #expect(maxRelativeError(raw, rawTruth, count: 100) < 1e-5)
        #expect(abs(entropy(raw) / entropy(rawTruth) - 1) < 1e-6)
        // Forced Float32 is what the deflation fixes: its top 100 are off by more than 1e-5.
        let single = try CovarianceSpectrum.compute(Self.lm, options: SpectrumOptions(method: .exact, precision: .float32))
        #expect(maxRelativeError(single.eigenvalues, Self.truth.eigenvalues, count: 100) > 1e-5)
    }

    // Oracle: numpy-free — the raw singular values straight from GramSpectrum (Float64
    // Gram of the uncentered X, dsyevd). The Float64 path's raw spectrum comes from the
    // centered reduction plus the mean reflection; 1e-9 relative on the top 100.
    @Test func rawSpectrumFromTheReflectedReductionMatchesADirectSolve() throws {
        let direct = try GramSpectrum.squaredSingularValues(of: Self.lm).map { $0.squareRoot() }
        #expect(maxRelativeError(try #require(Self.truth.rawSingularValues), direct, count: 100) < 1e-9)
    }

    // The randomized path on the same matrix: every returned eigenvalue is within its
    // reported residual bound of an exact one, and within the reported relative estimate
    // of its exact counterpart (an estimate that flattered would fail here).
    @Test(arguments: RandomizedAlgorithm.allCases)
    func randomizedErrorEstimateBoundsTheTrueError(algorithm: RandomizedAlgorithm) throws {
        let options = SpectrumOptions(method: .randomized, rank: 64, randomized: RandomizedOptions(algorithm: algorithm))
        let got = try CovarianceSpectrum.compute(Self.lm, options: options)
        let estimate = try #require(got.errorEstimate), bounds = try #require(got.residualBounds)
        let exact = Self.truth.eigenvalues
        for i in 0..<64 {
            let nearest = exact.map { abs($0 - got.eigenvalues[i]) }.min()!
            #expect(nearest <= bounds[i], "λ_\(i + 1): nearest exact \(nearest) > bound \(bounds[i])")
            #expect(abs(got.eigenvalues[i] - exact[i]) <= estimate * exact[i], "λ_\(i + 1) exceeds the estimate \(estimate)")
        }
    }

    private func entropy(_ values: [Double]) -> Double {
        let total = values.reduce(0, +)
        return values.reduce(0) { s, v in let p = v / total + 1e-7; return s - p * log(p) }
    }
}

/// C (row-major n × d) = A (row-major n × d) · Rᵀ with R column-major d × d.
private func cblas_sgemm_rowMajorProduct(_ a: [Float], _ r: [Float], _ c: inout [Float], n: Int, d: Int) {
    // Column-major view: Cᵀ (d × n) = R (d × d) · Aᵀ (d × n).
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(n), Int32(d), 1, r, Int32(d), a, Int32(d), 0, &c, Int32(d))
}
