#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// α-ReQ: the decay exponent of the eigenspectrum (Agrawal et al. 2022), docs/metrics.md.
public enum AlphaReQ {
    /// The paper's code fits 1-based ranks 12…100; reptrix's default is 11…100.
    public static let defaultRanks: ClosedRange<Int> = 12...100
    /// Fewer points than this make the slope noise, so they are an error, not a number.
    public static let minimumPoints = 10
    /// The metric's key in results, and in `MetricError.metric` when its fit is refused.
    public static let name = "alpha_req"

    /// Weighted least squares of ln λ_r on −ln r over 1-based ranks `ranks` (those past
    /// the spectrum's end dropped), weight 1/r, with an intercept; α is the slope.
    public static func fit(eigenvalues: [Double], ranks: ClosedRange<Int> = defaultRanks) throws(MetricError) -> Double {
        guard ranks.lowerBound >= 1 else {
            throw MetricError(.invalidArgument, "α-ReQ: ranks start at 1, got \(ranks.lowerBound)…\(ranks.upperBound)")
        }
        do throws(MetricError) {
            try SpectrumValidation.check(eigenvalues, "α-ReQ")
        } catch {
            throw MetricError(error.code, error.message, metric: name)
        }
        let hi = min(ranks.upperBound, eigenvalues.count)
        let count = hi - ranks.lowerBound + 1
        guard count >= minimumPoints else {
            throw MetricError(.tooFewValues,
                "α-ReQ over ranks \(ranks.lowerBound)…\(ranks.upperBound) needs at least \(minimumPoints) eigenvalues in range; the spectrum has \(eigenvalues.count), leaving \(max(count, 0))",
                metric: name)
        }
        var sw = 0.0, swx = 0.0, swy = 0.0
        var xs = [Double](), ys = [Double](), ws = [Double]()
        for r in ranks.lowerBound...hi {
            let lambda = eigenvalues[r - 1]
            guard lambda > 0 else {
                throw MetricError(.nonPositive, "α-ReQ: eigenvalue at rank \(r) is \(lambda); ranks \(ranks.lowerBound)…\(hi) must be positive for a log-log fit",
                                  metric: name)
            }
            let x = -log(Double(r)), y = log(lambda), w = 1 / Double(r)
            xs.append(x); ys.append(y); ws.append(w)
            sw += w; swx += w * x; swy += w * y
        }
        // Centered weighted sums: the normal equations' determinant without cancellation.
        let mx = swx / sw, my = swy / sw
        var sxx = 0.0, sxy = 0.0
        for i in xs.indices {
            sxx += ws[i] * (xs[i] - mx) * (xs[i] - mx)
            sxy += ws[i] * (xs[i] - mx) * (ys[i] - my)
        }
        return sxy / sxx
    }
}
