/// The participation ratio (Σλ)² / Σλ² of a covariance spectrum.
public enum ParticipationRatio {
    /// Over the eigenvalues given (the kept K).
    public static func compute(eigenvalues: [Double]) throws(MetricError) -> Double {
        try SpectrumValidation.check(eigenvalues, "participation ratio")
        // Scale by λ_max first so Σλ² cannot overflow or underflow for extreme units.
        let top = eigenvalues.max()!
        var s = 0.0, s2 = 0.0
        for v in eigenvalues {
            let x = v / top
            s += x
            s2 += x * x
        }
        return s * s / s2
    }
}
