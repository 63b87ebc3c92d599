#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Matrix Rényi entropy of order a (Layer by Layer, Skean et al. 2025).
public enum RenyiEntropy {
    /// S_a = ln(Σ p_i^a) / (1 − a) with p = eigenvalues of XXᵀ / tr(XXᵀ), i.e. the
    /// squared singular values of X normalized to sum 1; Shannon −Σ p ln p at a = 1.
    public static func compute(gramEigenvalues: [Double], order a: Double) throws(MetricError) -> Double {
        guard a >= 0, a.isFinite else {
            throw MetricError(.invalidArgument, "Rényi entropy: order must be a finite a ≥ 0, got \(a)")
        }
        try SpectrumValidation.check(gramEigenvalues, "Rényi entropy")
        let total = gramEigenvalues.reduce(0, +)
        let p = gramEigenvalues.map { $0 / total }
        if a == 1 {
            // 0 · ln 0 = 0 by continuity.
            return -p.reduce(0) { $1 > 0 ? $0 + $1 * log($1) : $0 }
        }
        let s = p.reduce(0) { $1 > 0 ? $0 + pow($1, a) : $0 }
        return log(s) / (1 - a)
    }

    /// From singular values σ of X (the Gram's eigenvalues are σ²).
    public static func compute(singularValues: [Double], order a: Double) throws(MetricError) -> Double {
        try compute(gramEigenvalues: singularValues.map { $0 * $0 }, order: a)
    }
}
