internal import CLinalg

/// The `mixed` exact path for row-major input with the Gram on the features (d ≤ N):
/// the few outlier directions that make a language model's spectrum ill-conditioned are
/// found and split off, and only the well-conditioned remainder is solved in
/// Float32.
///
/// Steps:
/// 1. Sketch: block power iteration with 16 Gaussian columns (Float32 products) until
///    the directions whose Ritz value is at least 50× the block's last, the outliers
///    (k ≤ 8 of them), are within 3e-6 of their invariant subspace by their residuals.
/// 2. Q from the Householder QR of those k directions; every sample of the centred
///    Float32 copy is rotated in place (compact WY, two thin products), so its first k
///    coordinates are the outliers' and the trailing d − k the bulk's, orthogonal to them.
/// 3. The bulk's Gram (`ssyrk` on those trailing rows) and one Float32 reduction. Its
///    round-off is ε₃₂ times the bulk's largest eigenvalue, not the outliers' (×10–×100
///    larger).
/// 4. Float64 Rayleigh–Ritz from the data over the outlier directions and the leading
///    bulk eigenvectors gives the leading eigenvalues (`RitzRefinement`).
/// 5. Raw spectrum: μ in the rotated basis is (a, b); the bulk is reflected so b sits at
///    its last coordinate (`MeanReflection`), so the raw Gram is the bulk's tridiagonal
///    plus a dense (k + 1) block (outlier block + N(a,‖b‖)(a,‖b‖)ᵀ), reduced in Float64
///    with the b coordinate kept first; one `sterf` gives the raw spectrum.
/// The coupling between the outlier block and the bulk, left out of the bulk's values
/// and the raw spectrum, is second order in that angle (≪ ε₃₂·λ_bulk).
enum OutlierDeflation {
    static let sketchWidth = 16, maximumIterations = 6, maximumOutliers = 8
    static let angleTolerance = 3e-6
    /// Ritz value ratio to the sketch's last that marks an outlier.
    static let separation = 50.0

    /// The deflated spectra, or nil when the sketch finds no outlier (the caller then runs
    /// the undeflated mixed path).
    static func spectra(_ x: inout CenteredMatrix, widen: RitzRefinement.Widen, refined: Int, includeRaw: Bool)
        throws(LinearAlgebraError) -> ExactCovariance.Spectra? {
        let d = x.features, n = x.samples
        guard x.transposed, d <= n, d >= 4 * sketchWidth else { return nil }
        let q = try outlierBasis(x)
        let k = q.count
        guard k > 0 else { return nil }
        let bulkOrder = d - k
        // 2. Every sample rotated in place; its trailing d − k coordinates are the bulk.
        let wy = q.compactWY()
        x.rotateSamples(v: wy.v, t: wy.t, count: k)
        var g = [Float](repeating: 0, count: bulkOrder * bulkOrder)
        x.data.withUnsafeBufferPointer { s in
            cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(bulkOrder), Int32(n), 1, s.baseAddress! + k, Int32(d), 0,
                        &g, Int32(bulkOrder))
        }
        // 3. Bulk reduction, with the raw mean's bulk part at the last coordinate.
        var mu = x.means
        try q.apply(transpose: true, to: &mu, columns: 1)
        let a = Array(mu[0..<k]), b = Array(mu[k...])
        let bNorm2 = b.reduce(0) { $0 + $1 * $1 }
        let reflection = includeRaw && bNorm2 > 0
            ? MeanReflection(reflectors: [MeanReflection.reflector(to: bulkOrder - 1, b)], reducedOrder: bulkOrder,
                             rawDiagonal: 0, rawCoupling: nil)
            : MeanReflection.none(order: bulkOrder)
        reflection.transform(&g, order: bulkOrder)
        let t = try TridiagonalGram(reducing: &g, order: bulkOrder, lda: bulkOrder)
        g = []
        // 4–5. Three serial LAPACK pieces (the bulk's eigenvalues, the raw spectrum: one
        // `dsterf` each; the leading bulk vectors: `dstemr`) in two lanes, so neither
        // core idles. The raw spectrum's outlier block comes from the rotated samples'
        // first k coordinates (Float32 products accumulated in Float64).
        let bulkCount = min(refined + ExactCovariance.refinementMargin, bulkOrder)
        let outlierBlock = includeRaw ? Self.outlierBlock(x, count: k) : []
        let ((bulkValues, raw), leading) = try Parallel.pair { () throws(LinearAlgebraError) -> ([Double], [Double]?) in
            let values = try t.eigenvalues()
            guard includeRaw else { return (values, nil) }
            return (values, try rawSpectrum(t, outlierBlock: outlierBlock, a: a, bNorm2: bNorm2, samples: Double(n)))
        } _: { () throws(LinearAlgebraError) -> [Double] in
            try TridiagonalGram.leadingEigenvectors(diagonal: t.diagonal, offDiagonal: t.offDiagonal, count: bulkCount)
        }
        // 4. Rayleigh–Ritz over [outlier directions, leading bulk vectors].
        var y = try q.leadingColumns()
        var z = leading
        try t.applyQ(to: &z, columns: bulkCount)
        reflection.backTransform(&z, order: bulkOrder, columns: bulkCount)
        var embedded = [Double](repeating: 0, count: d * bulkCount)
        for c in 0..<bulkCount { for r in 0..<bulkOrder { embedded[c * d + k + r] = z[c * bulkOrder + r] } }
        try q.apply(transpose: false, to: &embedded, columns: bulkCount)
        y += embedded
        let width = k + bulkCount
        var (h, metric) = RitzRefinement.projection(x, widen: widen, vectors: y, count: width, raw: false)
        let ritz = try RitzRefinement.solve(&h, &metric, count: width)
        let top = min(refined, bulkCount) + k
        let values = (Array(ritz.prefix(top)) + bulkValues.dropFirst(min(refined, bulkCount))).sorted(by: >)
        return ExactCovariance.Spectra(values: values, raw: raw, precision: .mixed)
    }

    /// 1. The outlier directions' Householder basis (empty when there are none): block
    /// power iteration on G = XcᵀXc with Float32 products, checked from the second
    /// iterate on. Candidates are the Ritz values at least `separation` × the block's
    /// last (a steep bulk's own top values among them: deflating those too keeps the
    /// remainder better conditioned); they are accepted once each residual ‖G·v − θ·v‖ bounds the angle of v to
    /// its invariant subspace below `angleTolerance` (Davis–Kahan: angle ≤ residual /
    /// gap). A leftover angle φ leaks φ²·λ_outlier into the bulk, so 3e-6 keeps the leak
    /// below Float32's own round-off of the bulk for outliers up to ~10⁴ × the bulk.
    private static func outlierBasis(_ x: CenteredMatrix) throws(LinearAlgebraError) -> HouseholderBasis {
        let d = x.features, w = sketchWidth
        let none = HouseholderBasis(order: d, count: 0, factors: [], tau: [])
        var gaussian = SeededGaussian(seed: 0x0D_EF1A7E)
        var v = gaussian.samples(d * w)
        try Orthonormal.basis(&v, rows: d, columns: w)
        for iteration in 1...maximumIterations {
            // G·V in two passes over the data; the first step, which only has to turn a
            // random start into a useful one, over every `startStride`-th sample.
            var gv = iteration == 1 ? sampledProduct(x, v, columns: w)
                : x.multiply(transpose: true, x.multiply(transpose: false, v, columns: w), columns: w)
            if iteration > 1 {
                let vWide = v.map(Double.init), gvWide = gv.map(Double.init)
                // Ritz pairs of span(V): S = Vᵀ(GV), symmetrized (V is orthonormal).
                var s = [Double](repeating: 0, count: w * w)
                cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(w), Int32(w), Int32(d), 1, vWide, Int32(d),
                            gvWide, Int32(d), 0, &s, Int32(w))
                for j in 0..<w { for i in 0..<j { s[j * w + i] = 0.5 * (s[j * w + i] + s[i * w + j]) } }
                let (theta, u) = try SymmetricEigen.eigenpairs(s, order: w)
                guard let last = theta.last, last > 0 else { return none }
                let candidates = min(maximumOutliers, theta.prefix { $0 >= separation * last }.count)
                guard candidates > 0 else { return none }
                // Ritz vectors V·U and their images G·V·U, for the residuals.
                var ritz = [Double](repeating: 0, count: d * candidates)
                var image = [Double](repeating: 0, count: d * candidates)
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(candidates), Int32(w), 1, vWide, Int32(d),
                            u, Int32(w), 0, &ritz, Int32(d))
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(candidates), Int32(w), 1, gvWide, Int32(d),
                            u, Int32(w), 0, &image, Int32(d))
                let next = theta[candidates]
                let converged = (0..<candidates).prefix { i in
                    var r2 = 0.0
                    for row in 0..<d { let r = image[i * d + row] - theta[i] * ritz[i * d + row]; r2 += r * r }
                    return r2.squareRoot() <= angleTolerance * (theta[i] - next)
                }.count
                if converged == candidates || iteration == maximumIterations {
                    guard converged > 0 else { return none }
                    return try HouseholderBasis(columns: Array(ritz.prefix(d * converged)), order: d, count: converged)
                }
            }
            try Orthonormal.basis(&gv, rows: d, columns: w)
            v = gv
        }
        return none
    }

    /// Every this many samples make the sketch's first step. The step only has to aim the
    /// random block at the leading directions; its subsample's own error (~(λ_bulk /
    /// λ_outlier)^½ / √(N / 16) in angle) is of the order that one step from a random
    /// start leaves anyway, and the full steps that follow remove both.
    static let startStride = 16

    /// Gₛ·V for the Gram Gₛ of every `startStride`-th sample (row-major input: samples are
    /// the stored columns, so a stride is a larger leading dimension), scaled to G's size.
    private static func sampledProduct(_ x: CenteredMatrix, _ v: [Float], columns w: Int) -> [Float] {
        let d = x.features, stride = x.samples >= 64 * startStride ? startStride : 1
        let sampled = (x.samples + stride - 1) / stride
        var z = [Float](repeating: 0, count: sampled * w), gv = [Float](repeating: 0, count: d * w)
        x.data.withUnsafeBufferPointer { s in
            cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(sampled), Int32(w), Int32(d), 1, s.baseAddress,
                        Int32(d * stride), v, Int32(d), 0, &z, Int32(sampled))
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(w), Int32(sampled), Float(stride),
                        s.baseAddress, Int32(d * stride), z, Int32(sampled), 0, &gv, Int32(d))
        }
        return gv
    }

    /// The k × k block of G over the outlier directions (upper triangle, column-major),
    /// from the first k coordinates of the rotated samples.
    private static func outlierBlock(_ x: CenteredMatrix, count k: Int) -> [Double] {
        let n = x.samples, d = x.features
        var coordinates = [Double](repeating: 0, count: n * k)
        x.data.withUnsafeBufferPointer { s in
            for c in 0..<n { for j in 0..<k { coordinates[j * n + c] = Double(s[c * d + j]) } }
        }
        var block = [Double](repeating: 0, count: k * k)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(k), Int32(n), 1, coordinates, Int32(n), 0, &block, Int32(k))
        return block
    }

    /// 5. The raw spectrum: bulk tridiagonal (b at its last coordinate) joined to the
    /// dense block [[‖b‖²N + t_last, N‖b‖aᵀ], [N‖b‖a, A + N aaᵀ]], reduced with its first
    /// coordinate fixed, so the whole matrix is tridiagonal.
    private static func rawSpectrum(_ t: TridiagonalGram, outlierBlock: [Double], a: [Double], bNorm2: Double,
                                    samples n: Double) throws(LinearAlgebraError) -> [Double] {
        let k = a.count, c = k + 1
        let bNorm = bNorm2.squareRoot()
        let last = t.order - 1
        var block = [Double](repeating: 0, count: c * c)
        // Lower triangle, column-major: dsytrd with UPLO L fixes e_1.
        block[0] = t.diagonal[last] + n * bNorm2
        for i in 0..<k { block[1 + i] = n * bNorm * a[i] }
        for j in 0..<k {
            for i in j..<k {
                let g = outlierBlock[max(i, j) * k + min(i, j)]
                block[(1 + j) * c + 1 + i] = g + n * a[i] * a[j]
            }
        }
        var d = [Double](repeating: 0, count: c), e = [Double](repeating: 0, count: c), tau = [Double](repeating: 0, count: c)
        let info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(c), &block, Int32(c), &d, &e, &tau)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsytrd failed with info = \(info) on the raw outlier block of order \(c)")
        }
        let diagonal = Array(t.diagonal.prefix(last)) + d
        let offDiagonal = t.offDiagonal + Array(e.prefix(c - 1))
        return try TridiagonalGram.eigenvalues(diagonal: diagonal, offDiagonal: offDiagonal)
    }
}
