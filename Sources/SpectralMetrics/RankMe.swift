#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RankMe, the exponential of the entropy of a normalized spectrum (docs/metrics.md).
public enum RankMe {
    /// reptrix's and the paper's constant added to every normalized value; it keeps
    /// ln p finite for zero eigenvalues and is part of the published numbers.
    public static let epsilon = 1e-7

    /// The paper's RankMe: p_i = λ_i / Σ_{j≤K} λ_j + 1e-7 over the K covariance
    /// eigenvalues given, RankMe = exp(−Σ p_i ln p_i).
    public static func paper(eigenvalues: [Double]) throws(MetricError) -> Double {
        try SpectrumValidation.check(eigenvalues, "RankMe")
        return entropyRank(eigenvalues)
    }

    /// Garrido et al. (2023): the same formula on the singular values σ_i of the raw,
    /// uncentered X (not squared).
    public static func garrido(singularValues: [Double]) throws(MetricError) -> Double {
        try SpectrumValidation.check(singularValues, "RankMe (Garrido)")
        return entropyRank(singularValues)
    }

    private static func entropyRank(_ values: [Double]) -> Double {
        // Σ and the entropy in Float64: 2048 terms spanning many decades.
        let total = values.reduce(0, +)
        var entropy = 0.0
        for v in values {
            let p = v / total + epsilon
            entropy -= p * log(p)
        }
        return exp(entropy)
    }
}
