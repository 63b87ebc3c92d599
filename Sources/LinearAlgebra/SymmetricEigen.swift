internal import CLinalg

/// Eigenvalues (and, for small matrices, eigenvectors) of symmetric matrices stored
/// column-major with the upper triangle filled in. Results are largest first.
enum SymmetricEigen {
    /// Eigenvalues only, through LAPACK's two-stage reduction (`ssyevd_2stage`): it goes
    /// to band form with BLAS-3 and then to tridiagonal form cheaply, which is what makes
    /// an eigenvalues-only solve at d = 4096 several times faster than `ssyevd`.
    static func eigenvalues(_ a: inout [Float], order n: Int) throws(LinearAlgebraError) -> [Float] {
        var w = [Float](repeating: 0, count: n)
        let info = LAPACKE_ssyevd_2stage(LAPACK_COL_MAJOR, jobzNone, uploUpper, Int32(n), &a, Int32(n), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "ssyevd_2stage failed with info = \(info) on a Gram of order \(n)")
        }
        return w.reversed()
    }

    /// Eigenvalues only, in Float64 (`dsyevd_2stage`).
    static func eigenvalues(_ a: inout [Double], order n: Int) throws(LinearAlgebraError) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd_2stage(LAPACK_COL_MAJOR, jobzNone, uploUpper, Int32(n), &a, Int32(n), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsyevd_2stage failed with info = \(info) on a Gram of order \(n)")
        }
        return w.reversed()
    }

    /// Eigenvalues and eigenvectors in Float64 (`dsyevd`, jobz V), largest first; vector
    /// i is column i of `vectors` (column-major n × n). Used on the small projected
    /// matrices of the randomized path, where Float64 costs nothing and keeps the Ritz
    /// values accurate far below the largest.
    static func eigenpairs(_ a: [Double], order n: Int) throws(LinearAlgebraError) -> (values: [Double], vectors: [Double]) {
        var v = a
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobzVectors, uploUpper, Int32(n), &v, Int32(n), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsyevd failed with info = \(info) on a matrix of order \(n)")
        }
        var vectors = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            let from = (n - 1 - i) * n, to = i * n
            for r in 0..<n { vectors[to + r] = v[from + r] }
        }
        return (w.reversed(), vectors)
    }

    private static let jobzNone = Int8(UInt8(ascii: "N"))
    private static let jobzVectors = Int8(UInt8(ascii: "V"))
    private static let uploUpper = Int8(UInt8(ascii: "U"))
}
