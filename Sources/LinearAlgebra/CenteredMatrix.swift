internal import CLinalg

/// The column-centered copy Xc of an N × d data matrix X, kept with its column means so
/// the raw X can still be applied as Xc + 1μᵀ without a second copy.
///
/// Centering makes the one copy of the input that the engine keeps: a memory-mapped
/// file is read once, straight into this Float32 buffer. The buffer keeps the input's
/// order, and BLAS is told which: row-major X is the column-major d × N matrix Xcᵀ.
struct CenteredMatrix: Sendable {
    /// N, the number of samples (rows of X).
    let samples: Int
    /// d, the number of features (columns of X).
    let features: Int
    /// True when `data` is column-major d × N (X was row-major); false for column-major N × d.
    let transposed: Bool
    /// Centered elements, column-major as described by `transposed`.
    let data: [Float]
    /// Column means μ of X, accumulated in Float64: a Float32 running sum over 15,000
    /// rows loses ~4 digits, and a "massive activation" column has a mean far above its
    /// spread, so an inexact mean would leave a spurious rank-one component in Xc.
    let means: [Double]

    var leadingDimension: Int { transposed ? features : samples }

    /// Centers the `rows × columns` buffer `elements`, rejecting NaN and Inf by position.
    init<S: BinaryFloatingPoint>(elements: UnsafeBufferPointer<S>, rows: Int, columns: Int,
                                 order: StorageOrder) throws(LinearAlgebraError) {
        guard rows > 0, columns > 0 else {
            throw LinearAlgebraError(.emptyMatrix, "matrix of shape \(rows) × \(columns) is empty")
        }
        guard elements.count == rows * columns else {
            throw LinearAlgebraError(.shapeMismatch,
                "matrix of \(rows) × \(columns) needs \(rows * columns) elements, got \(elements.count)")
        }
        samples = rows
        features = columns
        transposed = order == .rowMajor
        var sums = [Double](repeating: 0, count: columns)
        switch order {
        case .rowMajor:
            sums.withUnsafeMutableBufferPointer { sums in
                for i in 0..<rows {
                    let base = i * columns
                    for j in 0..<columns { sums[j] += Double(elements[base + j]) }
                }
            }
        case .columnMajor:
            for j in 0..<columns {
                let base = j * rows
                var s = 0.0
                for i in 0..<rows { s += Double(elements[base + i]) }
                sums[j] = s
            }
        }
        // A NaN or Inf anywhere makes its column sum non-finite; only then is the
        // column scanned to name the first offending element.
        if let j = sums.firstIndex(where: { !$0.isFinite }) {
            let at = { (i: Int) in order == .rowMajor ? i * columns + j : j * rows + i }
            guard let i = (0..<rows).first(where: { !Double(elements[at($0)]).isFinite }) else {
                throw LinearAlgebraError(.nonFinite, "column \(j) overflows Float64 when summed")
            }
            throw LinearAlgebraError(.nonFinite, "element (\(i), \(j)) is \(Double(elements[at(i)]))")
        }
        let means = sums.map { $0 / Double(rows) }
        self.means = means
        var out = [Float](repeating: 0, count: rows * columns)
        out.withUnsafeMutableBufferPointer { out in
            switch order {
            case .rowMajor:
                let m = means.map { Float($0) }
                for i in 0..<rows {
                    let base = i * columns
                    for j in 0..<columns { out[base + j] = Float(elements[base + j]) - m[j] }
                }
            case .columnMajor:
                for j in 0..<columns {
                    let base = j * rows, mean = means[j]
                    // Subtract in Float64 before rounding: one rounding instead of two.
                    for i in 0..<rows { out[base + i] = Float(Double(elements[base + i]) - mean) }
                }
            }
        }
        // Float64 input beyond Float32's range would turn into Inf here.
        if let k = out.firstIndex(where: { !$0.isFinite }) {
            let (i, j) = order == .rowMajor ? (k / columns, k % columns) : (k % rows, k / rows)
            throw LinearAlgebraError(.nonFinite, "element (\(i), \(j)) overflows Float32 after centering")
        }
        data = out
    }

    /// Xc in Float64, in the same layout as `data`, recentered from the original input
    /// (not widened from `data`): the Float32 copy's rounding, ε₃₂·|x| per element, would
    /// otherwise cap the Float64 path's accuracy on ill-conditioned spectra at ε₃₂·σ₁/σ_K.
    static func wide<S: BinaryFloatingPoint>(elements: UnsafeBufferPointer<S>, means: [Double],
                                             rows: Int, columns: Int, order: StorageOrder) -> [Double] {
        var out = [Double](repeating: 0, count: rows * columns)
        out.withUnsafeMutableBufferPointer { out in
            switch order {
            case .rowMajor:
                for i in 0..<rows {
                    let base = i * columns
                    for j in 0..<columns { out[base + j] = Double(elements[base + j]) - means[j] }
                }
            case .columnMajor:
                for j in 0..<columns {
                    let base = j * rows, mean = means[j]
                    for i in 0..<rows { out[base + i] = Double(elements[base + i]) - mean }
                }
            }
        }
        return out
    }

    /// Fills `out` (stored rows × `width`, column-major) with stored columns
    /// `from ..< from + width` of Xc in Float64 (or of the raw X with `raw`), recentered
    /// from the original input as `wide` does. Stored columns are samples when X was
    /// row-major and features otherwise, as in `data`.
    static func widenColumns<S: BinaryFloatingPoint>(elements: UnsafeBufferPointer<S>, means: [Double], rows: Int, columns: Int,
                                                    order: StorageOrder, from c0: Int, width: Int, raw: Bool,
                                                    into out: UnsafeMutableBufferPointer<Double>) {
        let storedRows = order == .rowMajor ? columns : rows
        for c in 0..<width {
            let from = (c0 + c) * storedRows, to = c * storedRows
            if raw {
                for r in 0..<storedRows { out[to + r] = Double(elements[from + r]) }
            } else if order == .rowMajor {
                for r in 0..<storedRows { out[to + r] = Double(elements[from + r]) - means[r] }
            } else {
                let mean = means[c0 + c]
                for r in 0..<storedRows { out[to + r] = Double(elements[from + r]) - mean }
            }
        }
    }

    /// C = op(X) · B with X = Xc, or the raw X = Xc + 1μᵀ when `raw` is true.
    /// `transpose` false: B is d × k (column-major, ld d) and C is N × k.
    /// `transpose` true: B is N × k (ld N) and C is d × k, i.e. C = Xᵀ B.
    func multiply(transpose: Bool, _ b: [Float], columns k: Int, raw: Bool = false) -> [Float] {
        let n = samples, d = features
        let outRows = transpose ? d : n, inner = transpose ? n : d
        var c = [Float](repeating: 0, count: outRows * k)
        // Stored matrix S is Xc (N × d) when !transposed, Xcᵀ (d × N) when transposed.
        // Xc·B: S·B or Sᵀ·B; Xcᵀ·B: Sᵀ·B or S·B.
        let useTrans = transpose != transposed
        let storedRows = transposed ? d : n
        data.withUnsafeBufferPointer { a in
            cblas_sgemm(CblasColMajor, useTrans ? CblasTrans : CblasNoTrans, CblasNoTrans,
                        Int32(outRows), Int32(k), Int32(inner), 1,
                        a.baseAddress, Int32(storedRows), b, Int32(inner), 0, &c, Int32(outRows))
        }
        if raw {
            // Rank-one correction in Float64: X·B = Xc·B + 1(μᵀB); Xᵀ·B = Xcᵀ·B + μ(1ᵀB).
            for col in 0..<k {
                let bcol = col * inner, ccol = col * outRows
                if transpose {
                    var s = 0.0
                    for i in 0..<n { s += Double(b[bcol + i]) }
                    for j in 0..<d { c[ccol + j] += Float(means[j] * s) }
                } else {
                    var s = 0.0
                    for j in 0..<d { s += means[j] * Double(b[bcol + j]) }
                    let add = Float(s)
                    for i in 0..<n { c[ccol + i] += add }
                }
            }
        }
        return c
    }
}
