import SpectraTestSupport
import Testing
import LinearAlgebra
@testable import SpectralMetrics

@Suite struct WeightSpectrumMetricsTests {
    // Oracle: weightwatcher 0.7.7 analyze() on a torch Linear holding W. The issue's
    // tolerance for fits: α within 1e-3 and the same xmin. xmin is an ESD value computed
    // by both in Float64 (ours: dsyrk + dsyevd; theirs: SVD), so "the same" is 1e-9
    // relative; D within 1e-6 (it is a max of Float64 CDF differences).
    @Test(arguments: Fixtures.weightNames)
    func powerLawFitMatchesWeightWatcher(name: String) throws {
        let want = try Fixtures.weight(name)
        let got = try WeightSpectrumMetrics.compute(matrix: try Fixtures.matrix("weight_\(name)"))
        #expect(abs(got.powerLaw.alpha - (want["powerlaw_alpha"] as! Double)) < 1e-3)
        #expect(abs(got.powerLaw.xmin - (want["powerlaw_xmin"] as! Double)) / (want["powerlaw_xmin"] as! Double) < 1e-9)
        #expect(abs(got.powerLaw.ksDistance - (want["powerlaw_ks_distance"] as! Double)) < 1e-6)
    }

    // Oracle: weightwatcher's get_ESD() (squared singular values, Float64): 1e-9 relative
    // on every value, both being Float64 solves of the same Float32 matrix.
    @Test(arguments: Fixtures.weightNames)
    func esdMatchesWeightWatcher(name: String) throws {
        let want = try Fixtures.weight(name)["esd"] as! [Double]
        let got = try WeightSpectrumMetrics.compute(matrix: try Fixtures.matrix("weight_\(name)"))
        #expect(got.esd.count == want.count)
        #expect(maxRelativeError(got.esd, want) < 1e-9)
    }

    // Oracle: weightwatcher's log_norm, log_spectral_norm, stable_rank, alpha_weighted and
    // spectral_norm (λ_max, so ours squared): 1e-9 relative for the norms, 1e-3 relative
    // for alpha_weighted (it carries α's tolerance).
    @Test(arguments: Fixtures.weightNames)
    func normsMatchWeightWatcher(name: String) throws {
        let want = try Fixtures.weight(name)
        let got = try WeightSpectrumMetrics.compute(matrix: try Fixtures.matrix("weight_\(name)"))
        func close(_ g: Double, _ key: String, _ tolerance: Double) {
            let w = want[key] as! Double
            #expect(abs(g - w) <= tolerance * abs(w), "\(name) \(key): \(g) vs \(w)")
        }
        close(got.logNorm, "log_norm", 1e-9)
        close(got.logSpectralNorm, "log_spectral_norm", 1e-9)
        close(got.stableRank, "stable_rank", 1e-9)
        close(got.spectralNorm * got.spectralNorm, "ww_spectral_norm", 1e-9)
        close(got.alphaWeighted, "alpha_weighted", 1e-3)
    }

    // Oracle: weightwatcher's pl_fit on the pooled ESD of the same submatrices (built in
    // numpy by the fixture script); same tolerances as the plain fit.
    @Test(arguments: Fixtures.weightNames)
    func farmsMatchesWeightWatcherOnPooledESD(name: String) throws {
        let want = try Fixtures.weight(name)
        let got = try FARMS(matrix: try Fixtures.matrix("weight_\(name)"))
        #expect(got.submatrixCount == want["farms_submatrices"] as! Int)
        #expect(abs(got.fit.alpha - (want["farms_alpha"] as! Double)) < 1e-3)
        #expect(abs(got.fit.xmin - (want["farms_xmin"] as! Double)) / (want["farms_xmin"] as! Double) < 1e-9)
    }

    @Test func windowsCoverTheMatrix() {
        #expect(FARMS.windowStarts(length: 300, window: 100) == [0, 50, 100, 150, 200])
        #expect(FARMS.windowStarts(length: 310, window: 100) == [0, 50, 100, 150, 200, 210])
        #expect(FARMS.windowStarts(length: 80, window: 100) == [0])
    }

    @Test func allZeroWeightIsAnError() {
        #expect(throws: MetricError(.allZero, "every eigenvalue is zero (an all-zero matrix)")) {
            try WeightSpectrumMetrics.compute(matrix: Matrix<Float>(zeros: 30, 30))
        }
    }

    @Test func tooSmallForAFitIsAnError() {
        var w = Matrix<Float>(zeros: 10, 10)
        for i in 0..<10 { w[i, i] = Float(i + 1) }
        #expect(throws: MetricError(.tooFewValues, "power-law fit needs at least 20 ESD values above 1e-05; have 10 of 10")) {
            try WeightSpectrumMetrics.compute(matrix: w)
        }
    }

    @Test func nonFiniteWeightIsNamed() {
        var w = Matrix<Float>(zeros: 30, 30)
        w[4, 7] = .nan
        #expect(throws: MetricError(.nonFinite, "weight ESD: element (4, 7) is nan")) {
            try WeightSpectrumMetrics.compute(matrix: w)
        }
    }
}
