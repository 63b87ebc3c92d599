#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// WeightWatcher's power-law fit of an ESD (its `WWFit`, continuous, no xmax), docs/metrics.md.
public struct PowerLawFit: Sendable, Equatable, Codable {
    public let alpha: Double
    public let xmin: Double
    /// The Kolmogorov–Smirnov distance D at the chosen xmin.
    public let ksDistance: Double
    /// How many ESD values lie at or above xmin (the fitted tail).
    public let tailCount: Int

    /// WeightWatcher drops ESD values at or below this before fitting (`EVALS_THRESH`).
    public static let threshold = 1e-5
    /// Below 20 values WeightWatcher switches to a different small-sample estimator that
    /// Spectra does not reproduce, so fewer values are an error.
    public static let minimumCount = 20

    /// Fits the ESD values (any order). Every kept value but the largest is tried as
    /// xmin: α = 1 + n / Σ ln(x_j / xmin) over the n values ≥ xmin, and
    /// D = max_j |1 − (x_j / xmin)^(1−α) − j/n| (j = 0…n−1 over the sorted tail);
    /// the smallest D wins, the first on ties (numpy's argmin).
    public init(esd: [Double]) throws(MetricError) {
        if let i = esd.firstIndex(where: { !$0.isFinite }) {
            throw MetricError(.nonFinite, "power-law fit: ESD value \(i + 1) of \(esd.count) is \(esd[i])")
        }
        let x = esd.filter { $0 > Self.threshold }.sorted()
        guard x.count >= Self.minimumCount else {
            if esd.allSatisfy({ $0 == 0 }) && !esd.isEmpty {
                throw MetricError(.allZero, "power-law fit: all \(esd.count) ESD values are zero (an all-zero matrix)")
            }
            throw MetricError(.tooFewValues,
                "power-law fit needs at least \(Self.minimumCount) ESD values above \(Self.threshold); have \(x.count) of \(esd.count)")
        }
        let count = x.count
        let logs = x.map { log($0) }
        // Suffix sums of ln x in Float64: Σ_{j≥i} ln x_j for every candidate xmin.
        var suffix = [Double](repeating: 0, count: count + 1)
        for i in stride(from: count - 1, through: 0, by: -1) { suffix[i] = suffix[i + 1] + logs[i] }
        var best = (d: Double.infinity, alpha: 0.0, index: -1)
        for i in 0..<(count - 1) {
            let n = Double(count - i)
            let s = suffix[i] - n * logs[i]
            // A tail of equal values has no slope; WeightWatcher's D stays at its initial 1.
            var d = 1.0, alpha = Double.infinity
            if s > 0 {
                alpha = 1 + n / s
                if alpha > 1 {
                    var worst = 0.0
                    for j in 0..<(count - i) {
                        let cdf = 1 - exp((1 - alpha) * (logs[i + j] - logs[i]))
                        worst = max(worst, abs(cdf - Double(j) / n))
                    }
                    d = worst
                }
            }
            if d < best.d { best = (d, alpha, i) }
        }
        alpha = best.alpha
        xmin = x[best.index]
        ksDistance = best.d
        tailCount = count - best.index
    }
}
