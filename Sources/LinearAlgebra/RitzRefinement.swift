internal import CLinalg

/// Float64 Rayleigh–Ritz values of the Gram over a few approximate eigenvectors, read
/// straight from the data: with Z = op(Xc)·Y, YᵀGY = ZᵀZ (G = XcᵀXc: Z = XcY; G = XcXcᵀ:
/// Z = XcᵀY), so one pass over Xc gives the projected pencil (ZᵀZ, YᵀY), whose
/// eigenvalues are the Ritz values of span(Y). Products accumulate in Float64 on blocks
/// recentered in Float64 from the original input (not the Float32 copy, whose rounding
/// would cap the accuracy at ε₃₂·σ₁/σ_i), so no Float64 copy of Xc is made.
///
/// Why it is accurate: the Ritz values of a subspace are lower bounds of the leading
/// eigenvalues, and their error is second order in the subspace's angle to the
/// invariant subspace. Vectors from a Float32 eigensolve are within ~ε₃₂·λ₁/gap of the
/// true ones, so the Ritz values in Float64 carry an error near (ε₃₂·λ₁)²/gap, which is
/// far below the Float32 solve's own ε₃₂·λ₁ for every value kept.
enum RitzRefinement {
    /// Columns of the stored matrix widened per block; 256 keeps a block of 4096 features
    /// at 8 MiB of Float64.
    static let blockColumns = 256

    /// Fills a stored-rows × width Float64 block with stored columns from ..< from + width
    /// of Xc (or of the raw X).
    typealias Widen = (_ from: Int, _ width: Int, _ raw: Bool, _ into: UnsafeMutableBufferPointer<Double>) -> Void

    /// Ritz values, largest first, of G (or of the raw Gram with `raw`) over span(Y), where
    /// Y holds `t` column-major vectors on the Gram's side (length min(N, d)).
    static func values(_ x: CenteredMatrix, widen: Widen, vectors y: [Double], count t: Int, raw: Bool) throws(LinearAlgebraError) -> [Double] {
        var (h, metric) = projection(x, widen: widen, vectors: y, count: t, raw: raw)
        return try solve(&h, &metric, count: t)
    }

    /// The projected pencil (YᵀGY, YᵀY), both t × t column-major with the upper triangle set.
    static func projection(_ x: CenteredMatrix, widen: Widen, vectors y: [Double], count t: Int, raw: Bool)
        -> (h: [Double], metric: [Double]) {
        let featuresSide = x.features <= x.samples
        let m = featuresSide ? x.features : x.samples
        // Stored S: d × N (x.transposed) or N × d, column-major. Z = op(S)·Y with
        // op = Sᵀ when the Gram's side is S's row side; Z's rows are S's columns.
        let storedRows = x.transposed ? x.features : x.samples
        let storedColumns = x.transposed ? x.samples : x.features
        let zRowsAreColumns = featuresSide == x.transposed
        let zRows = zRowsAreColumns ? storedColumns : storedRows
        var z = [Double](repeating: 0, count: zRows * t)
        var block = [Double](repeating: 0, count: storedRows * blockColumns)
        do {
            var c0 = 0
            while c0 < storedColumns {
                let width = min(blockColumns, storedColumns - c0)
                block.withUnsafeMutableBufferPointer { widen(c0, width, raw, $0) }
                block.withUnsafeBufferPointer { b in
                    z.withUnsafeMutableBufferPointer { zp in
                        if zRowsAreColumns {
                            // Z[c0 ..< c0+width, :] = S_bᵀ Y (Y has storedRows = m rows).
                            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(width), Int32(t), Int32(storedRows),
                                        1, b.baseAddress, Int32(storedRows), y, Int32(m), 0, zp.baseAddress! + c0, Int32(zRows))
                        } else {
                            // Z += S_b Y[c0 ..< c0+width, :] (Y has storedColumns = m rows).
                            y.withUnsafeBufferPointer { yp in
                                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(storedRows), Int32(t), Int32(width),
                                            1, b.baseAddress, Int32(storedRows), yp.baseAddress! + c0, Int32(m), 1,
                                            zp.baseAddress, Int32(zRows))
                            }
                        }
                    }
                }
                c0 += width
            }
        }
        var h = [Double](repeating: 0, count: t * t), metric = [Double](repeating: 0, count: t * t)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(t), Int32(zRows), 1, z, Int32(zRows), 0, &h, Int32(t))
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(t), Int32(m), 1, y, Int32(m), 0, &metric, Int32(t))
        return (h, metric)
    }

    /// Eigenvalues of the pencil, largest first (`dsygvd`; both matrices are overwritten).
    static func solve(_ h: inout [Double], _ metric: inout [Double], count t: Int) throws(LinearAlgebraError) -> [Double] {
        var w = [Double](repeating: 0, count: t)
        // Generalized problem H u = θ M u with M = YᵀY (Y need not be orthonormal: its
        // Float32 origin leaves it orthonormal only to ~1e-7).
        let info = LAPACKE_dsygvd(LAPACK_COL_MAJOR, 1, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                                  Int32(t), &h, Int32(t), &metric, Int32(t), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsygvd failed with info = \(info) on the \(t) × \(t) Rayleigh–Ritz pencil")
        }
        return w.reversed()
    }
}
