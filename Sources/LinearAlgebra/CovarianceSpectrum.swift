/// What to compute for a representation matrix X (N samples × d features).
public struct SpectrumOptions: Sendable, Equatable, Codable {
    public var method: SpectrumMethod
    /// K: how many eigenvalues to keep, min(K, N, d) (docs/metrics.md: 2048, the paper's cap).
    public var maxComponents: Int
    /// The rank of a randomized spectrum; `nil` means `maxComponents`.
    public var rank: Int?
    public var precision: GramPrecision
    public var randomized: RandomizedOptions
    /// Also compute the singular values of the raw, uncentered X (Garrido's RankMe).
    /// Exact path: read off the same tridiagonal reduction (an O(m²) `sterf`), plus,
    /// when refining, one more Float64 pass over the data.
    public var includeRawSingularValues: Bool
    /// Exact `mixed`/`auto` precision: how many leading eigenvalues are recomputed in
    /// Float64 (α-ReQ reads ranks up to 100, and the top values are reported one by one).
    public var refinedComponents: Int

    public init(method: SpectrumMethod = .auto, maxComponents: Int = 2048, rank: Int? = nil,
                precision: GramPrecision = .auto, randomized: RandomizedOptions = RandomizedOptions(),
                includeRawSingularValues: Bool = false, refinedComponents: Int = 128) {
        self.method = method
        self.maxComponents = maxComponents
        self.rank = rank
        self.precision = precision
        self.randomized = randomized
        self.includeRawSingularValues = includeRawSingularValues
        self.refinedComponents = refinedComponents
    }
}

/// The covariance spectrum of a representation matrix and how it was obtained.
public struct CovarianceSpectrumResult: Sendable, Equatable, Codable {
    /// N and d.
    public var samples: Int
    public var features: Int
    /// `exact` or `randomized`, never `auto`.
    public var method: SpectrumMethod
    /// Precision of the exact Gram; `nil` for randomized (always Float32 products).
    public var precision: GramPrecision?
    /// λ₁ ≥ λ₂ ≥ … of XcᵀXc / (N − 1), the top K (sklearn `PCA.explained_variance_`).
    public var eigenvalues: [Double]
    /// Singular values of the raw X, largest first, top K; when requested.
    public var rawSingularValues: [Double]?
    /// Randomized only: max over the returned eigenvalues of residual_i / λ_i, a relative
    /// a-posteriori bound: each [λ_i(1 − e), λ_i(1 + e)] contains an exact eigenvalue
    /// (values below ε₃₂·λ₁, zero to Float32, are left out).
    public var errorEstimate: Double?
    /// Randomized only: the per-eigenvalue residual bounds, in eigenvalue units.
    public var residualBounds: [Double]?
}

/// The engine's entry point for representation matrices.
public enum CovarianceSpectrum {
    /// The covariance spectrum of the `rows × columns` matrix in `elements`.
    /// The buffer is read once, into a centered Float32 copy; it may be memory-mapped.
    public static func compute<S: BinaryFloatingPoint>(
        elements: UnsafeBufferPointer<S>, rows: Int, columns: Int, order: StorageOrder,
        options: SpectrumOptions = SpectrumOptions()
    ) throws(LinearAlgebraError) -> CovarianceSpectrumResult {
        // Dispatch to concrete element types: a generic called from another module runs
        // unspecialized, converting element by element through protocol witnesses
        // (measured: 4 s instead of 0.1 s to center 20000 × 2048).
        if S.self == Float.self {
            return try run(unsafeBitCast(elements, to: UnsafeBufferPointer<Float>.self), rows, columns, order, options)
        }
        if S.self == Double.self {
            return try run(unsafeBitCast(elements, to: UnsafeBufferPointer<Double>.self), rows, columns, order, options)
        }
        let copy = elements.map { Float($0) }
        return try copy.withUnsafeBufferPointer { (b) throws(LinearAlgebraError) in try run(b, rows, columns, order, options) }
    }

    private static func run<S: BinaryFloatingPoint>(
        _ elements: UnsafeBufferPointer<S>, _ rows: Int, _ columns: Int, _ order: StorageOrder, _ options: SpectrumOptions
    ) throws(LinearAlgebraError) -> CovarianceSpectrumResult {
        guard options.maxComponents >= 1 else {
            throw LinearAlgebraError(.shapeMismatch, "max components must be at least 1, got \(options.maxComponents)")
        }
        guard rows >= 2 else {
            throw LinearAlgebraError(.shapeMismatch, "a covariance needs at least 2 samples (rows), got \(rows)")
        }
        let x = try CenteredMatrix(elements: elements, rows: rows, columns: columns, order: order)
        // The closures keep the means only: the exact path may rotate x's data in place,
        // which must not copy it.
        let means = x.means
        return try compute(centered: consume x, options: options, wide: {
            CenteredMatrix.wide(elements: elements, means: means, rows: rows, columns: columns, order: order)
        }, widen: { c0, width, raw, out in
            CenteredMatrix.widenColumns(elements: elements, means: means, rows: rows, columns: columns, order: order,
                                        from: c0, width: width, raw: raw, into: out)
        })
    }

    /// The covariance spectrum of a row-major matrix.
    public static func compute(_ matrix: Matrix<Float>, options: SpectrumOptions = SpectrumOptions())
        throws(LinearAlgebraError) -> CovarianceSpectrumResult {
        let storage = matrix.storage
        return try storage.withUnsafeBufferPointer { (buffer) throws(LinearAlgebraError) in
            try compute(elements: buffer, rows: matrix.rows, columns: matrix.columns, order: .rowMajor, options: options)
        }
    }

    static func compute(centered x: consuming CenteredMatrix, options: SpectrumOptions,
                        wide: () -> [Double], widen: RitzRefinement.Widen) throws(LinearAlgebraError) -> CovarianceSpectrumResult {
        let m = min(x.samples, x.features)
        let keep = min(options.maxComponents, m)
        let rank = options.rank ?? keep
        var method = options.method
        if method == .auto {
            method = SpectrumCostModel().choose(samples: x.samples, features: x.features, rank: rank,
                                                options: options.randomized, precision: options.precision)
        }
        let scale = 1 / Double(x.samples - 1)
        var result = CovarianceSpectrumResult(samples: x.samples, features: x.features, method: method,
                                              precision: nil, eigenvalues: [])
        if method == .randomized {
            let r = try RandomizedSVD.topEigenvalues(x, rank: rank, options: options.randomized)
            result.eigenvalues = r.values.map { max($0, 0) * scale }
            result.residualBounds = r.residuals.map { $0 * scale }
            // Relative bounds only where a value is resolved at all: Ritz values below
            // ε₃₂·θ₁ (a rank-deficient X) are zero to Float32 products, and dividing by
            // them would report an infinite bound that JSON cannot even carry.
            let floor = (r.values.first ?? 0) * Double(Float.ulpOfOne)
            result.errorEstimate = zip(r.values, r.residuals).filter { $0.0 > floor }.map { $1 / $0 }.max() ?? 0
            if options.includeRawSingularValues {
                let raw = try RandomizedSVD.topEigenvalues(x, rank: rank, options: options.randomized, raw: true)
                result.rawSingularValues = raw.values.map { max($0, 0).squareRoot() }
            }
        } else {
            guard options.refinedComponents >= 0 else {
                throw LinearAlgebraError(.shapeMismatch, "refined components must be at least 0, got \(options.refinedComponents)")
            }
            let exact = try ExactCovariance.eigenvalues(&x, wide: wide, widen: widen, precision: options.precision, keep: keep,
                                                        refined: min(options.refinedComponents, keep),
                                                        includeRaw: options.includeRawSingularValues)
            result.precision = exact.precision
            // Eigenvalues of a Gram are ≥ 0; LAPACK's round-off can make the rank-deficient
            // tail slightly negative, which is no variance at all.
            result.eigenvalues = exact.values.prefix(keep).map { max($0, 0) * scale }
            if let raw = exact.raw {
                result.rawSingularValues = raw.prefix(keep).map { max($0, 0).squareRoot() }
            }
        }
        return result
    }
}
