/// The floating-point type the exact path forms the Gram and solves it in.
public enum GramPrecision: String, Sendable, Codable, CaseIterable {
    /// Float32 first; when Float32 cannot resolve the smallest kept eigenvalue, continues
    /// as `mixed` from the same Float32 reduction (nothing is solved twice).
    case auto
    case float32
    case float64
    /// Float32 Gram and reduction for the whole spectrum; the leading eigenvalues (and
    /// raw singular values) recomputed in Float64 as Rayleigh–Ritz values over the
    /// Float32 eigenvectors, from the data (ExactCovariance, RitzRefinement).
    case mixed

    /// Whether a Float32 spectrum resolves its smallest kept eigenvalue.
    ///
    /// A backward-stable Gram + eigensolver in precision ε perturbs every eigenvalue by a
    /// small multiple of ε·λ₁, so λ_K carries a relative error near ε·λ₁/λ_K. Measured on
    /// rotated power-law spectra (8000 × 1024, κ = λ₁/λ_K from 1.7e3 to 1.5e6) the largest
    /// relative error of any Float32 eigenvalue against Float64 was 0.04–0.1 × ε₃₂·κ, so
    /// ε₃₂·κ is a safe estimate. Float32 is kept while it stays at or below `tolerance`
    /// (1e-3: every reported eigenvalue good to 0.1%, in practice to 1e-4); past it
    /// `auto` refines the leading eigenvalues in Float64 (`mixed`), which the metrics
    /// read on a log scale (α-ReQ's ranks) or one by one; the deeper tail keeps the
    /// Float32 solve's absolute round-off, ~ε₃₂·λ₁.
    public static func float32Resolves(descending values: [Double], tolerance: Double = 1e-3) -> Bool {
        guard let first = values.first, let last = values.last, first > 0, last > 0 else { return false }
        return Double(Float.ulpOfOne) * first / last <= tolerance
    }
}
