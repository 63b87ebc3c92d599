#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// Every weight-spectrum metric of docs/metrics.md for one weight matrix.
public struct WeightSpectrumReport: Sendable, Equatable, Codable {
    /// Shape of W as given.
    public var rows: Int
    public var columns: Int
    /// The ESD: eigenvalues of WᵀW (squared singular values, Float64, not rescaled),
    /// all min(n, m) of them, largest first.
    public var esd: [Double]
    /// WeightWatcher's power-law fit of the ESD values above 1e-5.
    public var powerLaw: PowerLawFit
    /// The FARMS fit (aspect ratio 1).
    public var farms: FARMS
    /// σ_max = √λ_max, the operator 2-norm (WeightWatcher's `spectral_norm` column is
    /// λ_max itself; its `log_spectral_norm` is `logSpectralNorm` here).
    public var spectralNorm: Double
    /// √Σλ.
    public var frobeniusNorm: Double
    /// Σλ / λ_max.
    public var stableRank: Double
    /// log10 Σλ = log10 ‖W‖²_F, WeightWatcher's `log_norm`.
    public var logNorm: Double
    /// log10 λ_max, WeightWatcher's `log_spectral_norm`.
    public var logSpectralNorm: Double
    /// α · log10 λ_max, WeightWatcher's `alpha_weighted`.
    public var alphaWeighted: Double
}

/// The single entry point for weight metrics.
public enum WeightSpectrumMetrics {
    /// ESD, power-law α/xmin/D, FARMS α, norms and log-norm of W. Errors name the metric.
    public static func compute(matrix w: Matrix<Float>) throws(MetricError) -> WeightSpectrumReport {
        let esd: [Double]
        do {
            esd = try GramSpectrum.squaredSingularValues(of: w)
        } catch {
            throw MetricError(error.code == .nonFinite ? .nonFinite : .invalidArgument, "weight ESD: \(error.message)")
        }
        let norms = try WeightNorms(esd: esd)
        let fit = try PowerLawFit(esd: esd)
        let farms = try FARMS(matrix: w)
        let total = esd.reduce(0) { $0 + max($1, 0) }
        let top = norms.spectralNorm * norms.spectralNorm
        return WeightSpectrumReport(
            rows: w.rows, columns: w.columns, esd: esd, powerLaw: fit, farms: farms,
            spectralNorm: norms.spectralNorm, frobeniusNorm: norms.frobeniusNorm, stableRank: norms.stableRank,
            logNorm: log10(total), logSpectralNorm: log10(top), alphaWeighted: fit.alpha * log10(top))
    }
}
