internal import CLinalg

/// The exact path: Gram on the smaller side (`syrk`), eigenvalues (`syevd_2stage`).
enum ExactCovariance {
    /// Eigenvalues of the Gram of Xc on its smaller side, largest first, unscaled.
    /// Also returns the Gram's upper triangle in Float64 when `keepGram` is set, so the
    /// raw (uncentered) spectrum can be had by a low-rank update instead of a second syrk.
    /// `wide` yields Xc in Float64 (same layout as `x.data`) for the Float64 path.
    static func gramEigenvalues(_ x: CenteredMatrix, wide: () -> [Double], precision: GramPrecision, keep: Int,
                                keepGram: Bool) throws(LinearAlgebraError)
        -> (values: [Double], precision: GramPrecision, gram: [Double]?) {
        switch precision {
        case .float64:
            return try float64(x, wide: wide(), keepGram: keepGram)
        case .float32:
            return try float32(x, keepGram: keepGram)
        case .auto:
            let single = try float32(x, keepGram: keepGram)
            let kept = Array(single.values.prefix(keep))
            if GramPrecision.float32Resolves(descending: kept) { return single }
            return try float64(x, wide: wide(), keepGram: keepGram)
        }
    }

    static func order(_ x: CenteredMatrix) -> Int { min(x.samples, x.features) }

    /// The syrk arguments for G = Xcᵀ Xc (d ≤ N) or Xc Xcᵀ (N < d) on the stored matrix S.
    private static func syrkShape(_ x: CenteredMatrix) -> (trans: CBLAS_TRANSPOSE, n: Int32, k: Int32, lda: Int32) {
        let featuresSide = x.features <= x.samples
        // S = Xcᵀ (d × N) when transposed, Xc (N × d) otherwise; G = S Sᵀ when the
        // Gram's side matches S's rows, SᵀS otherwise.
        let noTrans = featuresSide == x.transposed
        let m = order(x), big = max(x.samples, x.features)
        return (noTrans ? CblasNoTrans : CblasTrans, Int32(m), Int32(big), Int32(x.leadingDimension))
    }

    private static func float32(_ x: CenteredMatrix, keepGram: Bool) throws(LinearAlgebraError)
        -> (values: [Double], precision: GramPrecision, gram: [Double]?) {
        let s = syrkShape(x), m = Int(s.n)
        var g = [Float](repeating: 0, count: m * m)
        x.data.withUnsafeBufferPointer { a in
            cblas_ssyrk(CblasColMajor, CblasUpper, s.trans, s.n, s.k, 1, a.baseAddress, s.lda, 0, &g, s.n)
        }
        let gram = keepGram ? g.map(Double.init) : nil
        let values = try SymmetricEigen.eigenvalues(&g, order: m)
        return (values.map(Double.init), .float32, gram)
    }

    private static func float64(_ x: CenteredMatrix, wide: [Double], keepGram: Bool) throws(LinearAlgebraError)
        -> (values: [Double], precision: GramPrecision, gram: [Double]?) {
        let s = syrkShape(x), m = Int(s.n)
        // The Float64 copy of Xc is the price of Float64 accumulation: OpenBLAS has no
        // mixed-precision syrk. It lives only for the duration of this call.
        var g = [Double](repeating: 0, count: m * m)
        cblas_dsyrk(CblasColMajor, CblasUpper, s.trans, s.n, s.k, 1, wide, s.lda, 0, &g, s.n)
        let gram = keepGram ? g : nil
        let values = try SymmetricEigen.eigenvalues(&g, order: m)
        return (values, .float64, gram)
    }

    /// Eigenvalues of the raw Gram (XᵀX or XXᵀ of the uncentered X), from the centered
    /// Gram by a low-rank update: X = Xc + 1μᵀ gives XᵀX = XcᵀXc + N μμᵀ, and
    /// XXᵀ = XcXcᵀ + v1ᵀ + 1vᵀ + ‖μ‖² 11ᵀ with v = Xc μ (the cross terms vanish in the
    /// first form because the columns of Xc sum to zero).
    static func rawGramEigenvalues(_ x: CenteredMatrix, centeredGram g: [Double]) throws(LinearAlgebraError) -> [Double] {
        let m = order(x)
        var raw = g
        let n = Double(x.samples)
        if x.features <= x.samples {
            for j in 0..<m { for i in 0...j { raw[j * m + i] += n * x.means[i] * x.means[j] } }
        } else {
            let v = x.multiply(transpose: false, x.means.map(Float.init), columns: 1).map(Double.init)
            let norm2 = x.means.reduce(0) { $0 + $1 * $1 }
            for j in 0..<m { for i in 0...j { raw[j * m + i] += v[i] + v[j] + norm2 } }
        }
        return try SymmetricEigen.eigenvalues(&raw, order: m)
    }
}
