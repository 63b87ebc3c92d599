/// The floating-point type the exact path forms the Gram and solves it in.
public enum GramPrecision: String, Sendable, Codable, CaseIterable {
    /// Float32 first; Float64 when Float32 cannot resolve the smallest kept eigenvalue.
    case auto
    case float32
    case float64

    /// Whether a Float32 spectrum resolves its smallest kept eigenvalue.
    ///
    /// A backward-stable Gram + eigensolver in precision ε perturbs every eigenvalue by a
    /// small multiple of ε·λ₁, so λ_K carries a relative error near ε·λ₁/λ_K. Measured on
    /// rotated power-law spectra (8000 × 1024, κ = λ₁/λ_K from 1.7e3 to 1.5e6) the largest
    /// relative error of any Float32 eigenvalue against Float64 was 0.04–0.1 × ε₃₂·κ, so
    /// ε₃₂·κ is a safe estimate. Float32 is kept while it stays at or below `tolerance`
    /// (1e-3: every reported eigenvalue good to 0.1%, in practice to 1e-4); past it the
    /// metrics that read the tail (α-ReQ on a log scale, RankMe's small terms) would
    /// inherit Float32 noise, so the Gram is formed again in Float64.
    public static func float32Resolves(descending values: [Double], tolerance: Double = 1e-3) -> Bool {
        guard let first = values.first, let last = values.last, first > 0, last > 0 else { return false }
        return Double(Float.ulpOfOne) * first / last <= tolerance
    }
}
