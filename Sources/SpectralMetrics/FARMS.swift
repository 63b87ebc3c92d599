import LinearAlgebra

/// FARMS (Hu et al. 2025, arXiv 2506.06280): the power-law fit of the averaged ESD of
/// fixed-aspect-ratio submatrices of W, so that layers of different shapes compare.
///
/// Spectra's reading of the method, stated because the authors' code was not at hand:
/// W is oriented tall (n ≥ m); submatrices have `aspectRatio` · c rows and c columns,
/// with c = m when that fits (else c = ⌊n / aspectRatio⌋); windows slide with 50%
/// overlap along both sides, the last one flush with the edge so every entry is covered.
/// All submatrices have the same shape, so pooling their eigenvalues is averaging
/// their ESDs; the pooled values are fitted like any ESD (`PowerLawFit`). A square W
/// with aspect ratio 1 is its own single window, so FARMS equals the plain fit there.
public struct FARMS: Sendable, Equatable, Codable {
    public let fit: PowerLawFit
    /// Submatrix shape (rows × columns) and how many were sampled.
    public let submatrixRows: Int
    public let submatrixColumns: Int
    public let submatrixCount: Int

    public init(matrix w: Matrix<Float>, aspectRatio: Double = 1) throws(MetricError) {
        guard aspectRatio >= 1, aspectRatio.isFinite else {
            throw MetricError(.invalidArgument, "FARMS: aspect ratio must be ≥ 1, got \(aspectRatio)")
        }
        let tall = w.rows >= w.columns ? w : w.transposed()
        let n = tall.rows, m = tall.columns
        guard n > 0, m > 0 else { throw MetricError(.tooFewValues, "FARMS: matrix of shape \(w.rows) × \(w.columns) is empty") }
        var c = m
        if aspectRatio * Double(m) > Double(n) { c = max(1, Int(Double(n) / aspectRatio)) }
        let r = min(n, max(c, Int((aspectRatio * Double(c)).rounded())))
        let rowStarts = Self.windowStarts(length: n, window: r)
        let columnStarts = Self.windowStarts(length: m, window: c)
        var pooled = [Double]()
        pooled.reserveCapacity(rowStarts.count * columnStarts.count * c)
        for r0 in rowStarts {
            for c0 in columnStarts {
                var sub = Matrix<Float>(zeros: r, c)
                for i in 0..<r {
                    let from = (r0 + i) * m + c0, to = i * c
                    for j in 0..<c { sub.storage[to + j] = tall.storage[from + j] }
                }
                do {
                    pooled += try GramSpectrum.squaredSingularValues(of: sub)
                } catch {
                    throw MetricError(error.code == .nonFinite ? .nonFinite : .invalidArgument,
                                      "FARMS: submatrix at (\(r0), \(c0)): \(error.message)")
                }
            }
        }
        do {
            fit = try PowerLawFit(esd: pooled)
        } catch {
            throw MetricError(error.code, "FARMS: \(error.message)")
        }
        submatrixRows = r
        submatrixColumns = c
        submatrixCount = rowStarts.count * columnStarts.count
    }

    /// Start offsets of windows of `window` along `length` with stride ⌈window/2⌉, the
    /// last flush with the end.
    static func windowStarts(length: Int, window: Int) -> [Int] {
        guard window < length else { return [0] }
        let stride = max(1, (window + 1) / 2)
        var starts = Array(Swift.stride(from: 0, through: length - window, by: stride))
        if starts.last != length - window { starts.append(length - window) }
        return starts
    }
}
