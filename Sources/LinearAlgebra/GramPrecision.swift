/// The floating-point type the exact path forms the Gram and solves it in.
public enum GramPrecision: String, Sendable, Codable, CaseIterable {
    /// Float32 first; Float64 when Float32 cannot resolve the smallest kept eigenvalue.
    case auto
    case float32
    case float64

    /// Whether a Float32 spectrum resolves its smallest kept eigenvalue.
    ///
    /// A backward-stable Gram + eigensolver in precision ε perturbs every eigenvalue by
    /// about ε·√m·λ₁ for an order-m Gram (rounding errors of the m-term inner products
    /// add like a random walk), so λ_K carries a relative error near ε·√m·λ₁/λ_K. Float32
    /// is kept while that estimate stays at or below `tolerance` (1e-3 by default: every
    /// reported eigenvalue good to 0.1%); past it, the metrics that read the tail (α-ReQ
    /// on a log scale, RankMe's small terms) would inherit Float32 noise, so the Gram is
    /// formed again in Float64.
    public static func float32Resolves(descending values: [Double], gramOrder m: Int,
                                       tolerance: Double = 1e-3) -> Bool {
        guard let first = values.first, let last = values.last, first > 0 else { return false }
        guard last > 0 else { return false }
        let epsilon = Double(Float.ulpOfOne)
        return epsilon * Double(m).squareRoot() * first / last <= tolerance
    }
}
