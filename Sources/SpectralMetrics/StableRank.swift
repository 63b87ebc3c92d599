/// The stable rank Σσ² / σ₁² = Σλ / λ₁ of a matrix, from the eigenvalues of its Gram.
public enum StableRank {
    /// Over the eigenvalues given: for a covariance truncated at K, the kept K.
    public static func compute(eigenvalues: [Double]) throws(MetricError) -> Double {
        try SpectrumValidation.check(eigenvalues, "stable rank")
        return eigenvalues.reduce(0, +) / eigenvalues.max()!
    }
}
