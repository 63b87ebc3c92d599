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
    /// Centered elements, column-major as described by `transposed` (after
    /// `rotateSamples`, the rotated coordinates instead).
    private(set) var data: [Float]
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
        let sums = Self.columnSums(elements, rows: rows, columns: columns, order: order)
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
        // Both passes are split across the BLAS threads (one read of the input each); the
        // copy is written once, without zero-filling it first.
        let out = [Float](unsafeUninitializedCapacity: rows * columns) { out, count in
            switch order {
            case .rowMajor:
                let m = means.map { Float($0) }
                Parallel.rows(rows, work: rows * columns) { range in
                    for i in range {
                        let base = i * columns
                        for j in 0..<columns { out[base + j] = Float(elements[base + j]) - m[j] }
                    }
                }
            case .columnMajor:
                Parallel.rows(columns, work: rows * columns) { range in
                    for j in range {
                        let base = j * rows, mean = means[j]
                        // Subtract in Float64 before rounding: one rounding instead of two.
                        for i in 0..<rows { out[base + i] = Float(Double(elements[base + i]) - mean) }
                    }
                }
            }
            count = rows * columns
        }
        // Float64 input beyond Float32's range would turn into Inf here.
        if let k = out.firstIndex(where: { !$0.isFinite }) {
            let (i, j) = order == .rowMajor ? (k / columns, k % columns) : (k % rows, k / rows)
            throw LinearAlgebraError(.nonFinite, "element (\(i), \(j)) overflows Float32 after centering")
        }
        data = out
    }

    /// Column sums of X in Float64, rows (row-major) or columns (column-major) split
    /// across the BLAS threads.
    private static func columnSums<S: BinaryFloatingPoint>(_ elements: UnsafeBufferPointer<S>, rows: Int, columns: Int,
                                                          order: StorageOrder) -> [Double] {
        switch order {
        case .rowMajor:
            let threads = max(1, min(BLASThreads.count, rows))
            var partial = [[Double]](repeating: [Double](repeating: 0, count: columns), count: threads)
            partial.withUnsafeMutableBufferPointer { partial in
                Parallel.rows(threads, work: rows * columns) { range in
                    for t in range {
                        partial[t].withUnsafeMutableBufferPointer { sums in
                            for i in (rows * t / threads)..<(rows * (t + 1) / threads) {
                                let base = i * columns
                                for j in 0..<columns { sums[j] += Double(elements[base + j]) }
                            }
                        }
                    }
                }
            }
            return partial.dropFirst().reduce(into: partial[0]) { total, part in
                for j in 0..<columns { total[j] += part[j] }
            }
        case .columnMajor:
            return [Double](unsafeUninitializedCapacity: columns) { sums, count in
                Parallel.rows(columns, work: rows * columns) { range in
                    for j in range {
                        let base = j * rows
                        var s = 0.0
                        for i in 0..<rows { s += Double(elements[base + i]) }
                        sums[j] = s
                    }
                }
                count = columns
            }
        }
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
        Parallel.rows(width, work: width * storedRows) { range in
            for c in range {
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
    }

    /// Replaces every sample (a stored column; row-major X only) by Qᵀ times it, for
    /// Q = I − V T Vᵀ in compact WY form (V: d × k, T: k × k upper triangular, both
    /// column-major), in Float32 with two thin products: W = VᵀS, S ← S − V(TᵀW).
    /// Afterwards `data` holds rotated coordinates, not Xc, so only an owner of `x`
    /// that needs nothing else from it may call this (`OutlierDeflation`). The rounding
    /// it adds, ε₃₂·|x| per element, is independent from sample to sample and changes
    /// the Gram's eigenvalues far less than the Float32 Gram itself does.
    mutating func rotateSamples(v: [Double], t: [Double], count k: Int) {
        precondition(transposed, "rotateSamples needs row-major input (samples stored as columns)")
        guard k > 0 else { return }
        let d = features, n = samples
        let vs = v.map(Float.init), ts = t.map(Float.init)
        var w = [Float](repeating: 0, count: k * n)
        data.withUnsafeMutableBufferPointer { s in
            cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(n), Int32(d), 1, vs, Int32(d),
                        s.baseAddress, Int32(d), 0, &w, Int32(k))
            cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, Int32(k), Int32(n), 1, ts, Int32(k),
                        &w, Int32(k))
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(n), Int32(k), -1, vs, Int32(d), w, Int32(k),
                        1, s.baseAddress, Int32(d))
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
