/// Norms of a weight matrix read off its ESD (the eigenvalues of WᵀW).
public struct WeightNorms: Sendable, Equatable, Codable {
    /// Largest singular value, √λ_max.
    public let spectralNorm: Double
    /// √(Σλ), the Frobenius norm.
    public let frobeniusNorm: Double
    /// Σλ / λ_max = ‖W‖²_F / ‖W‖²_2.
    public let stableRank: Double

    /// Computes the norms from the eigenvalues of WᵀW (any order, all of them).
    public init(esd eigenvalues: [Double]) throws(MetricError) {
        guard !eigenvalues.isEmpty else { throw MetricError(.tooFewValues, "no eigenvalues") }
        guard eigenvalues.allSatisfy(\.isFinite) else { throw MetricError(.nonFinite, "the ESD contains NaN or Inf") }
        // Eigenvalues of a Gram are ≥ 0 in exact arithmetic; LAPACK returns tiny negative
        // round-off for rank-deficient matrices, which must not reach a square root.
        let clipped = eigenvalues.map { max($0, 0) }
        let largest = clipped.max()!
        guard largest > 0 else { throw MetricError(.allZero, "every eigenvalue is zero (an all-zero matrix)") }
        let total = clipped.reduce(0, +)
        spectralNorm = largest.squareRoot()
        frobeniusNorm = total.squareRoot()
        stableRank = total / largest
    }
}
