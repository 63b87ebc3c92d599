internal import CLinalg

/// The `mixed` exact path for row-major input with the Gram on the features (d ≤ N):
/// the few outlier directions that make a language model's spectrum ill-conditioned are
/// found and split off in Float64, and only the well-conditioned remainder is solved in
/// Float32.
///
/// Steps:
/// 1. Sketch: 5 power iterations with 16 Gaussian columns (Float32 products) find the
///    directions whose Ritz value is at least 50× the sketch's last, the outliers
///    (k ≤ 8 of them); at that gap their angle to the invariant subspace is ~50⁻⁵.
/// 2. Q from the Householder QR of those k directions; the data are rotated in Float64,
///    row by row from the original input, and the trailing d − k coordinates (the bulk,
///    orthogonal to the outliers) rounded to Float32.
/// 3. The bulk's Gram (`ssyrk`) and one Float32 reduction. Its round-off is ε₃₂ times the
///    bulk's largest eigenvalue, not the outliers' (×10–×100 larger).
/// 4. Float64 Rayleigh–Ritz from the data over the outlier directions and the leading
///    bulk eigenvectors gives the leading eigenvalues (`RitzRefinement`).
/// 5. Raw spectrum: μ in the rotated basis is (a, b); the bulk is reflected so b sits at
///    its last coordinate (`MeanReflection`), so the raw Gram is the bulk's tridiagonal
///    plus a dense (k + 1) block (outlier block + N(a,‖b‖)(a,‖b‖)ᵀ), reduced in Float64
///    with the b coordinate kept first; one `sterf` gives the raw spectrum.
/// The coupling between the outlier block and the bulk, left out of the bulk's values
/// and the raw spectrum, is second order in that angle (≪ ε₃₂·λ_bulk).
enum OutlierDeflation {
    static let sketchWidth = 16, powerIterations = 5, maximumOutliers = 8
    /// Ritz value ratio to the sketch's last that marks an outlier.
    static let separation = 50.0

    /// The deflated spectra, or nil when the sketch finds no outlier (the caller then runs
    /// the undeflated mixed path).
    static func spectra(_ x: CenteredMatrix, widen: RitzRefinement.Widen, refined: Int, includeRaw: Bool)
        throws(LinearAlgebraError) -> ExactCovariance.Spectra? {
        let d = x.features, n = x.samples
        guard x.transposed, d <= n, d >= 4 * sketchWidth else { return nil }
        let q = try outlierBasis(x)
        let k = q.count
        guard k > 0 else { return nil }
        let bulkOrder = d - k
        // 2. Bulk coordinates of every sample, in Float32 (stored as (d − k) × N).
        var bulk = [Float](repeating: 0, count: bulkOrder * n)
        var block = [Double](repeating: 0, count: d * RitzRefinement.blockColumns)
        var c0 = 0
        while c0 < n {
            let width = min(RitzRefinement.blockColumns, n - c0)
            block.withUnsafeMutableBufferPointer { widen(c0, width, false, $0) }
            try q.apply(transpose: true, to: &block, columns: width)
            for c in 0..<width {
                for r in 0..<bulkOrder { bulk[(c0 + c) * bulkOrder + r] = Float(block[c * d + k + r]) }
            }
            c0 += width
        }
        block = []
        // 3. Bulk Gram and reduction, with the raw mean's bulk part at the last coordinate.
        var g = [Float](repeating: 0, count: bulkOrder * bulkOrder)
        cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(bulkOrder), Int32(n), 1, bulk, Int32(bulkOrder), 0,
                    &g, Int32(bulkOrder))
        bulk = []
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
        let bulkValues = try t.eigenvalues()
        // 4. Rayleigh–Ritz over [outlier directions, leading bulk vectors].
        let bulkCount = min(refined + ExactCovariance.refinementMargin, bulkOrder)
        var y = try q.leadingColumns()
        var z = try TridiagonalGram.leadingEigenvectors(diagonal: t.diagonal, offDiagonal: t.offDiagonal, count: bulkCount)
        try t.applyQ(to: &z, columns: bulkCount)
        reflection.backTransform(&z, order: bulkOrder, columns: bulkCount)
        var embedded = [Double](repeating: 0, count: d * bulkCount)
        for c in 0..<bulkCount { for r in 0..<bulkOrder { embedded[c * d + k + r] = z[c * bulkOrder + r] } }
        try q.apply(transpose: false, to: &embedded, columns: bulkCount)
        y += embedded
        let width = k + bulkCount
        var (h, metric) = RitzRefinement.projection(x, widen: widen, vectors: y, count: width, raw: false)
        // The outlier block of G in the rotated basis (y's first k columns are Q e_1 … Q e_k).
        var outlierBlock = [Double](repeating: 0, count: k * k)
        for j in 0..<k { for i in 0...j { outlierBlock[j * k + i] = h[j * width + i] } }
        let ritz = try RitzRefinement.solve(&h, &metric, count: width)
        let top = min(refined, bulkCount) + k
        let values = (Array(ritz.prefix(top)) + bulkValues.dropFirst(min(refined, bulkCount))).sorted(by: >)
        var raw: [Double]? = nil
        if includeRaw {
            raw = try rawSpectrum(t, outlierBlock: outlierBlock, a: a, bNorm2: bNorm2, samples: Double(n))
        }
        return ExactCovariance.Spectra(values: values, raw: raw, precision: .mixed)
    }

    /// 1. The outlier directions' Householder basis (empty when there are none).
    private static func outlierBasis(_ x: CenteredMatrix) throws(LinearAlgebraError) -> HouseholderBasis {
        let d = x.features, w = sketchWidth
        var gaussian = SeededGaussian(seed: 0x0D_EF1A7E)
        var v = gaussian.samples(d * w)
        try Orthonormal.basis(&v, rows: d, columns: w)
        for _ in 0..<powerIterations {
            let z = x.multiply(transpose: false, v, columns: w)
            v = x.multiply(transpose: true, z, columns: w)
            try Orthonormal.basis(&v, rows: d, columns: w)
        }
        // Ritz pairs of the sketch: S = (XcV)ᵀ(XcV) in Float64.
        let z = x.multiply(transpose: false, v, columns: w).map(Double.init)
        var s = [Double](repeating: 0, count: w * w)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(w), Int32(x.samples), 1, z, Int32(x.samples), 0, &s, Int32(w))
        let (theta, u) = try SymmetricEigen.eigenpairs(s, order: w)
        guard let last = theta.last, last > 0 else { return HouseholderBasis(order: d, count: 0, factors: [], tau: []) }
        let k = min(maximumOutliers, theta.prefix { $0 >= separation * last }.count)
        // The outlier Ritz vectors V U_k, in Float64.
        var directions = [Double](repeating: 0, count: d * k)
        let vWide = v.map(Double.init)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(k), Int32(w), 1, vWide, Int32(d),
                    u, Int32(w), 0, &directions, Int32(d))
        return try HouseholderBasis(columns: directions, order: d, count: k)
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
