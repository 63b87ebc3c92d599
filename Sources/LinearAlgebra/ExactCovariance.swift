internal import CLinalg

/// The exact path: Gram on the smaller side (`syrk`), one tridiagonal reduction, and
/// every wanted spectrum read off it.
///
/// Precision, decided without redoing work:
/// - `float64`: Float64 Gram from a Float64 copy of Xc, Float64 reduction.
/// - `float32`: Float32 Gram and reduction; every eigenvalue carries ~ε₃₂·λ₁ of round-off.
/// - `mixed`: the Float32 solve, then the leading `refined` eigenvalues replaced by
///   Float64 Rayleigh–Ritz values over the Float32 eigenvectors (`RitzRefinement`).
/// - `auto`: when a sketch finds outlier directions (row-major input, d ≤ N), `mixed`
///   with those split off first (`OutlierDeflation`); otherwise the Float32 solve, which
///   continues as `mixed` from the same reduction when it does not resolve the smallest
///   kept eigenvalue (`GramPrecision.float32Resolves`).
/// The raw (uncentered) spectrum comes from the same reduction (`MeanReflection`).
enum ExactCovariance {
    struct Spectra {
        var values: [Double]
        var raw: [Double]?
        var precision: GramPrecision
    }

    static func order(_ x: CenteredMatrix) -> Int { min(x.samples, x.features) }

    /// Vectors refined beyond the `refined` values that are replaced.
    static let refinementMargin = 16

    /// Eigenvalues of the Gram of Xc on its smaller side, largest first, unscaled, and
    /// with `includeRaw` those of the raw Gram. `wide` yields Xc in Float64 (the same
    /// layout as `x.data`) for the Float64 path; `widen` blocks of it for the refinement.
    static func eigenvalues(_ x: inout CenteredMatrix, wide: () -> [Double], widen: RitzRefinement.Widen, precision: GramPrecision, keep: Int,
                            refined: Int, includeRaw: Bool) throws(LinearAlgebraError) -> Spectra {
        let s = syrkShape(x), m = Int(s.n)
        let reflection = includeRaw ? MeanReflection.of(x) : .none(order: m)
        if precision == .float64 {
            let xc = wide()
            var g = [Double](repeating: 0, count: m * m)
            cblas_dsyrk(CblasColMajor, CblasUpper, s.trans, s.n, s.k, 1, xc, s.lda, 0, &g, s.n)
            reflection.transform(&g, order: m)
            let t = try TridiagonalGram(reducing: &g, order: reflection.reducedOrder, lda: m)
            return try spectra(t, reflection, includeRaw: includeRaw, order: m, precision: .float64)
        }
        // A few outlier directions far above the rest (a language model's massive
        // activations) are what make a spectrum ill-conditioned; when a cheap sketch finds
        // them, they are split off in Float64 before the Float32 Gram is formed.
        if precision == .mixed || precision == .auto,
           let deflated = try OutlierDeflation.spectra(&x, widen: widen, refined: refined, includeRaw: includeRaw) {
            return deflated
        }
        var g = [Float](repeating: 0, count: m * m)
        x.data.withUnsafeBufferPointer { a in
            cblas_ssyrk(CblasColMajor, CblasUpper, s.trans, s.n, s.k, 1, a.baseAddress, s.lda, 0, &g, s.n)
        }
        reflection.transform(&g, order: m)
        let t = try TridiagonalGram(reducing: &g, order: reflection.reducedOrder, lda: m)
        var result = try spectra(t, reflection, includeRaw: includeRaw, order: m, precision: .float32)
        let resolves = GramPrecision.float32Resolves(descending: Array(result.values.prefix(keep)))
        // A margin of vectors beyond those replaced: the last Ritz values of a block are
        // the least accurate (their gap to the rest of the spectrum is the smallest).
        let count = min(refined + refinementMargin, t.order)
        guard precision == .mixed || (precision == .auto && !resolves), refined > 0 else { return result }
        result.precision = .mixed
        let centered = try leadingVectors(t, reflection, raw: false, count: count, order: m)
        replaceLeading(&result.values, with: try RitzRefinement.values(x, widen: widen, vectors: centered, count: count, raw: false).prefix(refined))
        if var raw = result.raw {
            let vectors = try leadingVectors(t, reflection, raw: true, count: count, order: m)
            replaceLeading(&raw, with: try RitzRefinement.values(x, widen: widen, vectors: vectors, count: count, raw: true).prefix(refined))
            result.raw = raw
        }
        return result
    }

    /// The syrk arguments for G = Xcᵀ Xc (d ≤ N) or Xc Xcᵀ (N < d) on the stored matrix S.
    private static func syrkShape(_ x: CenteredMatrix) -> (trans: CBLAS_TRANSPOSE, n: Int32, k: Int32, lda: Int32) {
        let featuresSide = x.features <= x.samples
        // S = Xcᵀ (d × N) when transposed, Xc (N × d) otherwise; G = S Sᵀ when the
        // Gram's side matches S's rows, SᵀS otherwise.
        let noTrans = featuresSide == x.transposed
        let m = order(x), big = max(x.samples, x.features)
        return (noTrans ? CblasNoTrans : CblasTrans, Int32(m), Int32(big), Int32(x.leadingDimension))
    }

    /// Centered and raw eigenvalues from one reduction (of order n, or n − 1 on the samples
    /// side, whose dropped null direction contributes an exact zero).
    private static func spectra(_ t: TridiagonalGram, _ r: MeanReflection, includeRaw: Bool, order m: Int,
                                precision: GramPrecision) throws(LinearAlgebraError) -> Spectra {
        var values = try t.eigenvalues()
        if t.order < m { values.append(0) }
        guard includeRaw else { return Spectra(values: values, raw: nil, precision: precision) }
        let raw = rawTridiagonal(t, r)
        return Spectra(values: values, raw: try TridiagonalGram.eigenvalues(diagonal: raw.diagonal, offDiagonal: raw.offDiagonal),
                       precision: precision)
    }

    private static func rawTridiagonal(_ t: TridiagonalGram, _ r: MeanReflection) -> (diagonal: [Double], offDiagonal: [Double]) {
        var d = t.diagonal, e = t.offDiagonal
        if let coupling = r.rawCoupling {
            d.append(r.rawDiagonal)
            e.append(coupling)
        } else if let last = d.indices.last {
            d[last] += r.rawDiagonal
        }
        return (d, e)
    }

    /// The `count` leading eigenvectors of the centered (or raw) Gram in its own basis:
    /// vectors of the tridiagonal, then Q, then the mean reflectors.
    private static func leadingVectors(_ t: TridiagonalGram, _ r: MeanReflection, raw: Bool, count: Int, order m: Int)
        throws(LinearAlgebraError) -> [Double] {
        let tri = raw ? rawTridiagonal(t, r) : (t.diagonal, t.offDiagonal)
        let n = tri.0.count
        var z = try TridiagonalGram.leadingEigenvectors(diagonal: tri.0, offDiagonal: tri.1, count: count)
        // Rows beyond T's order (the raw extension) are untouched by Q.
        var head = [Double](repeating: 0, count: t.order * count)
        for c in 0..<count { for i in 0..<t.order { head[c * t.order + i] = z[c * n + i] } }
        try t.applyQ(to: &head, columns: count)
        var y = [Double](repeating: 0, count: m * count)
        for c in 0..<count {
            for i in 0..<t.order { y[c * m + i] = head[c * t.order + i] }
            for i in t.order..<n { y[c * m + i] = z[c * n + i] }
        }
        z = []
        r.backTransform(&y, order: m, columns: count)
        return y
    }

    /// values[0 ..< k] ← Ritz values, then re-sorted (the refined values are lower bounds
    /// and may fall a hair below an unrefined neighbour).
    private static func replaceLeading(_ values: inout [Double], with ritz: ArraySlice<Double>) {
        for (i, v) in ritz.enumerated() where i < values.count { values[i] = v }
        values.sort(by: >)
    }
}
