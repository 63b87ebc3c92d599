internal import CLinalg

/// Randomized range finders for the top singular values of the centered data matrix.
public enum RandomizedAlgorithm: String, Sendable, Codable, CaseIterable {
    /// Halko–Martinsson–Tropp (2011) Algorithm 4.4: subspace (power) iteration with an
    /// orthonormalization after every product with Xc or Xcᵀ.
    case subspaceIteration = "subspace"
    /// Block Krylov (Musco & Musco 2015): the span of [XcΩ, (XcXcᵀ)XcΩ, …], every block
    /// orthogonalized against the earlier ones.
    case blockKrylov = "krylov"
}

/// Settings of a randomized spectrum; the defaults are the ones the benchmarks justify.
public struct RandomizedOptions: Sendable, Equatable, Codable {
    public var algorithm: RandomizedAlgorithm
    /// Extra sketch columns beyond the rank (HMT's p).
    public var oversampling: Int
    /// Power iterations (subspace) or Krylov blocks beyond the first (block Krylov).
    public var iterations: Int
    /// Seed of the Gaussian test matrix; the same seed gives the same spectrum.
    public var seed: UInt64

    public init(algorithm: RandomizedAlgorithm = .subspaceIteration, oversampling: Int = 64,
                iterations: Int = 3, seed: UInt64 = 0x5EC7_7A) {
        self.algorithm = algorithm
        self.oversampling = oversampling
        self.iterations = iterations
        self.seed = seed
    }
}

/// Top eigenvalues of XcᵀXc from a randomized subspace, with their Ritz residuals.
struct RandomizedResult: Sendable {
    /// Ritz values (squared singular values, unscaled), largest first, `rank` of them.
    var values: [Double]
    /// ‖XcXcᵀy_i − θ_i y_i‖ for each Ritz pair (θ_i, y_i): an eigenvalue of XcXcᵀ lies
    /// within this distance of θ_i, and θ_i ≤ λ_i by interlacing.
    var residuals: [Double]
}

enum RandomizedSVD {
    /// The top `rank` eigenvalues of XcᵀXc (or of XᵀX with `raw`), by `options.algorithm`.
    static func topEigenvalues(_ x: CenteredMatrix, rank: Int, options: RandomizedOptions,
                               raw: Bool = false) throws(LinearAlgebraError) -> RandomizedResult {
        let n = x.samples, d = x.features, m = min(n, d)
        guard rank >= 1, rank <= m else {
            throw LinearAlgebraError(.shapeMismatch, "randomized rank \(rank) is outside 1…\(m) for a \(n) × \(d) matrix")
        }
        let block = min(rank + max(0, options.oversampling), m)
        var gaussian = SeededGaussian(seed: options.seed)
        let omega = gaussian.samples(d * block)
        var q: [Float]
        var width: Int
        switch options.algorithm {
        case .subspaceIteration:
            q = x.multiply(transpose: false, omega, columns: block, raw: raw)
            try Orthonormal.basis(&q, rows: n, columns: block)
            for _ in 0..<max(0, options.iterations) {
                var z = x.multiply(transpose: true, q, columns: block, raw: raw)
                try Orthonormal.basis(&z, rows: d, columns: block)
                q = x.multiply(transpose: false, z, columns: block, raw: raw)
                try Orthonormal.basis(&q, rows: n, columns: block)
            }
            width = block
        case .blockKrylov:
            // Blocks past min(N, d) add nothing: the span is already everything.
            let blocks = min(max(0, options.iterations) + 1, max(1, m / block))
            var current = x.multiply(transpose: false, omega, columns: block, raw: raw)
            try Orthonormal.basis(&current, rows: n, columns: block)
            q = current
            width = block
            for _ in 1..<max(1, blocks) {
                let z = x.multiply(transpose: true, current, columns: block, raw: raw)
                var next = x.multiply(transpose: false, z, columns: block, raw: raw)
                Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                try Orthonormal.basis(&next, rows: n, columns: block)
                q += next
                width += block
                current = next
            }
        }
        return try rayleighRitz(x, basis: q, width: width, rank: rank, raw: raw)
    }

    /// Rayleigh–Ritz on span(Q): Bᵀ = XcᵀQ, eigenpairs of BBᵀ = QᵀXcXcᵀQ, and residuals
    /// ‖Xc Bᵀ u_i − θ_i Q u_i‖ from one more product with Xc (the a-posteriori estimate).
    private static func rayleighRitz(_ x: CenteredMatrix, basis q: [Float], width: Int, rank: Int,
                                     raw: Bool) throws(LinearAlgebraError) -> RandomizedResult {
        let n = x.samples, d = x.features
        let bt = x.multiply(transpose: true, q, columns: width, raw: raw)         // d × w
        let w = x.multiply(transpose: false, bt, columns: width, raw: raw)        // N × w = XcXcᵀQ
        // The w × w projected matrix in Float64: its small eigenvalues sit many orders
        // below the largest, and Float64 costs nothing at this size.
        let btWide = bt.map(Double.init)
        var c = [Double](repeating: 0, count: width * width)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(width), Int32(d), 1,
                    btWide, Int32(d), 0, &c, Int32(width))
        let (theta, u) = try SymmetricEigen.eigenpairs(c, order: width)
        // Residual R = W U − Q U Θ for the leading `rank` Ritz vectors, in Float64.
        let uTop = Array(u.prefix(width * rank))
        let wWide = w.map(Double.init), qWide = q.map(Double.init)
        var wu = [Double](repeating: 0, count: n * rank)
        var qu = [Double](repeating: 0, count: n * rank)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(rank), Int32(width),
                    1, wWide, Int32(n), uTop, Int32(width), 0, &wu, Int32(n))
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(rank), Int32(width),
                    1, qWide, Int32(n), uTop, Int32(width), 0, &qu, Int32(n))
        var residuals = [Double](repeating: 0, count: rank)
        for i in 0..<rank {
            var s = 0.0
            for r in 0..<n {
                let e = wu[i * n + r] - theta[i] * qu[i * n + r]
                s += e * e
            }
            residuals[i] = s.squareRoot()
        }
        return RandomizedResult(values: Array(theta.prefix(rank)), residuals: residuals)
    }
}
