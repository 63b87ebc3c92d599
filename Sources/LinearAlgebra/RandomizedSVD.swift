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
    /// Block Krylov only: columns per block; `nil` means ⌈(rank + oversampling) / 3⌉, or
    /// wider when too few iterations would not span rank + oversampling.
    /// Narrow blocks with more iterations reach a higher polynomial degree for the same
    /// work, as long as (iterations + 1) · blockSize ≥ rank.
    public var blockSize: Int?
    /// Seed of the Gaussian test matrix; the same seed gives the same spectrum.
    public var seed: UInt64

    /// Defaults: block Krylov, blocks of ⌈(rank + 10) / 3⌉ columns, 6 iterations. At
    /// rank 256 on 15000 × 20480 with eigenvalues ∝ 1/r that reached 1.9e-7 relative
    /// error on the top 100 in less time than blocks of rank + 10 with 3 iterations
    /// (5.5e-6) or subspace iteration with 4 iterations and oversampling 64 (4.4e-5);
    /// see docs/benchmarks.md.
    public init(algorithm: RandomizedAlgorithm = .blockKrylov, oversampling: Int = 10,
                iterations: Int = 6, seed: UInt64 = 0x5EC7_7A) {
        self.algorithm = algorithm
        self.oversampling = oversampling
        self.iterations = iterations
        self.seed = seed
        self.blockSize = nil
    }
}

extension RandomizedOptions {
    /// The block Krylov block width for `rank`: the explicit one, else a third of
    /// rank + oversampling, widened so that the iterations' blocks still span it.
    public func blockSize(rank: Int) -> Int {
        if let blockSize { return blockSize }
        let wanted = rank + max(0, oversampling), blocks = max(0, iterations) + 1
        return max(1, (wanted + 2) / 3, (wanted + blocks - 1) / blocks)
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
        let wanted = min(rank + max(0, options.oversampling), m)
        let block = options.algorithm == .blockKrylov ? min(max(1, options.blockSize(rank: rank)), m) : wanted
        var gaussian = SeededGaussian(seed: options.seed)
        let omega = gaussian.samples(d * block)
        var q: [Float]
        var width: Int
        // Bᵀ = XcᵀQ, which Rayleigh–Ritz needs; block Krylov has all but its last block
        // already (each Xcᵀ Q_j is the next iteration's first product), so it is reused.
        var bt: [Float]
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
            bt = x.multiply(transpose: true, q, columns: block, raw: raw)
        case .blockKrylov:
            // Blocks past min(N, d) add nothing: the span is already everything.
            let blocks = min(max(0, options.iterations) + 1, max(1, m / block))
            guard blocks * block >= rank else {
                throw LinearAlgebraError(.shapeMismatch,
                    "block Krylov with \(blocks) blocks of \(block) columns spans \(blocks * block) < rank \(rank); raise the iterations or the block size")
            }
            var current = x.multiply(transpose: false, omega, columns: block, raw: raw)
            try Orthonormal.basis(&current, rows: n, columns: block)
            q = current
            width = block
            bt = []
            for _ in 1..<max(1, blocks) {
                let z = x.multiply(transpose: true, current, columns: block, raw: raw)
                bt += z
                var next = x.multiply(transpose: false, z, columns: block, raw: raw)
                let before = Orthonormal.columnNorms(next, rows: n, columns: block)
                Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                let after = Orthonormal.columnNorms(next, rows: n, columns: block)
                // A column that the projection all but annihilated means span(Q) is
                // numerically invariant along it (X has lower rank than the Krylov space):
                // what is left is rounding noise, and orthonormalizing noise gives vectors
                // that are not orthogonal to Q. Such columns restart from fresh Gaussian
                // vectors (deflation), projected like the rest, so Q stays orthonormal.
                let collapsed = zip(after, before).enumerated().filter { $0.element.0 <= 1e-3 * $0.element.1 }.map(\.offset)
                if !collapsed.isEmpty {
                    for j in collapsed {
                        let fresh = gaussian.samples(n)
                        for r in 0..<n { next[j * n + r] = fresh[r] }
                    }
                    Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                    Orthonormal.project(out: &next, rows: n, columns: block, against: q, basisColumns: width)
                }
                try Orthonormal.basis(&next, rows: n, columns: block)
                q += next
                width += block
                current = next
            }
            bt += x.multiply(transpose: true, current, columns: block, raw: raw)
        }
        return try rayleighRitz(x, basis: q, bt: bt, width: width, rank: rank, raw: raw)
    }

    /// Rayleigh–Ritz on span(Q) given Bᵀ = XcᵀQ: eigenpairs (θ_i, u_i) of BBᵀ = QᵀXcXcᵀQ,
    /// and for the leading `rank` the residuals ‖XcXcᵀy_i − θ_i y_i‖ of y_i = Q u_i, from
    /// one product with Xc of width `rank` (Xcᵀy_i = Bᵀu_i is already at hand).
    private static func rayleighRitz(_ x: CenteredMatrix, basis q: [Float], bt: [Float], width: Int, rank: Int,
                                     raw: Bool) throws(LinearAlgebraError) -> RandomizedResult {
        let n = x.samples, d = x.features
        // The w × w projected matrix in Float64: its small eigenvalues sit many orders
        // below the largest, and Float64 costs nothing at this size.
        let btWide = bt.map(Double.init)
        var c = [Double](repeating: 0, count: width * width)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(width), Int32(d), 1,
                    btWide, Int32(d), 0, &c, Int32(width))
        let (theta, u) = try SymmetricEigen.eigenpairs(c, order: width)
        let uTop = Array(u.prefix(width * rank))
        // Y = Q U_k (N × k) and Xcᵀ Y = Bᵀ U_k (d × k), in Float64, then X Xᵀ Y in Float32.
        let qWide = q.map(Double.init)
        var y = [Double](repeating: 0, count: n * rank)
        var zy = [Double](repeating: 0, count: d * rank)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(rank), Int32(width),
                    1, qWide, Int32(n), uTop, Int32(width), 0, &y, Int32(n))
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(rank), Int32(width),
                    1, btWide, Int32(d), uTop, Int32(width), 0, &zy, Int32(d))
        let w = x.multiply(transpose: false, zy.map(Float.init), columns: rank, raw: raw)
        var residuals = [Double](repeating: 0, count: rank)
        for i in 0..<rank {
            var s = 0.0
            for r in 0..<n {
                let e = Double(w[i * n + r]) - theta[i] * y[i * n + r]
                s += e * e
            }
            residuals[i] = s.squareRoot()
        }
        return RandomizedResult(values: Array(theta.prefix(rank)), residuals: residuals)
    }
}
