import Testing
@testable import SpectralMetrics

@Suite struct WeightNormsTests {
    // Oracle: hand arithmetic on the ESD {4, 1, 0}: ‖W‖₂ = 2, ‖W‖_F = √5, stable rank 5/4.
    // Exact in binary floating point up to the square roots, hence 1e-15.
    @Test func normsFromAKnownSpectrum() throws {
        let norms = try WeightNorms(esd: [1, 4, 0])
        #expect(abs(norms.spectralNorm - 2) < 1e-15)
        #expect(abs(norms.frobeniusNorm - 5.0.squareRoot()) < 1e-15)
        #expect(abs(norms.stableRank - 1.25) < 1e-15)
    }

    @Test func roundOffBelowZeroIsClipped() throws {
        let norms = try WeightNorms(esd: [9, -1e-18])
        #expect(norms.stableRank == 1)
    }

    @Test func emptyZeroAndNonFiniteSpectraAreErrors() {
        #expect(throws: MetricError(.tooFewValues, "no eigenvalues")) { try WeightNorms(esd: []) }
        #expect(throws: MetricError(.allZero, "every eigenvalue is zero (an all-zero matrix)")) { try WeightNorms(esd: [0, 0]) }
        #expect(throws: MetricError(.nonFinite, "the ESD contains NaN or Inf")) { try WeightNorms(esd: [1, .nan]) }
    }
}
