import SpectraTestSupport
import Testing
import LinearAlgebra
@testable import SpectralMetrics

@Suite struct RepresentationMetricsTests {
    static func metrics(_ name: String, ranks: ClosedRange<Int> = AlphaReQ.defaultRanks) throws -> RepresentationReport {
        let x = try Fixtures.matrix(name)
        let spectrum = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, includeRawSingularValues: true))
        return try RepresentationMetrics.compute(eigenvalues: spectrum.eigenvalues,
                                                 rawSingularValues: spectrum.rawSingularValues, alphaRanks: ranks)
    }

    // Oracle: reptrix 0.1.0 (rankme.get_rank, alpha.get_powerlaw over ranks 12…100) on
    // scikit-learn's Float64 spectrum; the tolerance, 1e-4 relative, for the
    // exact path end to end (engine + metric).
    @Test(arguments: Fixtures.representationNames)
    func rankMeAndAlphaReQMatchReptrix(name: String) throws {
        let want = try Fixtures.representation(name)
        let got = try Self.metrics(name)
        #expect(abs(got.rankme - (want["rankme"] as! Double)) / (want["rankme"] as! Double) < 1e-4)
        #expect(abs(got.alphaReq - (want["alpha_req"] as! Double)) / (want["alpha_req"] as! Double) < 1e-4)
    }

    // Oracle: reptrix's own default fit range (0-based 10…99, i.e. ranks 11…100).
    @Test func reptrixDefaultRangeIsElevenToHundred() throws {
        let want = try Fixtures.representation("powerlaw")["alpha_req_11_100"] as! Double
        let got = try Self.metrics("powerlaw", ranks: 11...100)
        #expect(abs(got.alphaReq - want) / want < 1e-4)
    }

    // Oracle: numpy, docs/metrics.md's formulas on numpy's spectra (no library implements
    // these conventions). 1e-4 relative, as for RankMe.
    @Test(arguments: Fixtures.representationNames)
    func otherMetricsMatchNumpy(name: String) throws {
        let want = try Fixtures.representation(name)
        let got = try Self.metrics(name)
        let pairs: [(Double?, String)] = [
            (got.rankmeGarrido, "rankme_garrido"), (got.participationRatio, "participation_ratio"),
            (got.stableRank, "stable_rank"), (got.renyiEntropy1, "renyi_entropy_1"), (got.renyiEntropy2, "renyi_entropy_2"),
        ]
        for (value, key) in pairs {
            let w = want[key] as! Double
            let g = try #require(value)
            #expect(abs(g - w) <= 1e-4 * abs(w), "\(name) \(key): \(g) vs \(w)")
        }
    }

    // Analytic oracle: K equal eigenvalues give p = 1/K + 1e-7 and RankMe = exp(−K p ln p),
    // within 1e-9 of K(1 − 1e-7·K·(ln K − 1)) to first order; tolerance 1e-6 relative.
    @Test func flatSpectrumHasFullRank() throws {
        let k = 50
        let got = try RankMe.paper(eigenvalues: Array(repeating: 2.5, count: k))
        let p = 1.0 / Double(k) + 1e-7
        let expected = (-Double(k) * p * log(p)).exponential
        #expect(abs(got - expected) / expected < 1e-9)
        #expect(abs(got - Double(k)) / Double(k) < 1e-4)
    }

    // Analytic oracle: a uniform p over n has Rényi entropy ln n for every order.
    @Test(arguments: [1.0, 2.0, 0.5])
    func uniformSpectrumHasLogNEntropy(order: Double) throws {
        let got = try RenyiEntropy.compute(gramEigenvalues: Array(repeating: 3, count: 40), order: order)
        #expect(abs(got - log(40.0)) < 1e-12)
    }

    // Analytic oracle: exact power law λ_r = r^-1.5 has α = 1.5 over any range (1e-12).
    @Test func exactPowerLawGivesItsExponent() throws {
        let values = (1...200).map { pow(Double($0), -1.5) }
        #expect(abs(try AlphaReQ.fit(eigenvalues: values) - 1.5) < 1e-12)
    }

    @Test func tooFewRanksIsAnError() {
        #expect(throws: MetricError(.tooFewValues,
            "α-ReQ over ranks 12…100 needs at least 10 eigenvalues in range; the spectrum has 20, leaving 9",
            metric: AlphaReQ.name)) {
            try AlphaReQ.fit(eigenvalues: (1...20).map { 1 / Double($0) })
        }
    }

    @Test func allZeroAndNonFiniteAreErrors() {
        #expect(throws: MetricError(.allZero, "RankMe: all 5 values are zero (a constant or all-zero matrix)")) {
            try RankMe.paper(eigenvalues: [0, 0, 0, 0, 0])
        }
        #expect(throws: MetricError(.nonFinite, "participation ratio: value 2 of 3 is nan")) {
            try ParticipationRatio.compute(eigenvalues: [1, .nan, 2])
        }
        #expect(throws: MetricError.self) { try RenyiEntropy.compute(gramEigenvalues: [1, 2], order: -1) }
    }

    // Oracle: two diagonal token matrices with singular values (1, 1) and (2, 0): their
    // Shannon entropies are ln 2 and 0, so the prompt entropy is ln 2 / 2 (1e-12).
    @Test func promptEntropyAveragesOverSequences() throws {
        var a = Matrix<Float>(zeros: 3, 2); a[0, 0] = 1; a[1, 1] = 1
        var b = Matrix<Float>(zeros: 4, 2); b[2, 0] = 2
        let got = try PromptEntropy.compute(tokenMatrices: [a, b], order: 1)
        #expect(abs(got - log(2.0) / 2) < 1e-12)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
extension Double { var exponential: Double { exp(self) } }
