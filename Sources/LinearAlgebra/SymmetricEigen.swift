internal import CLinalg

/// Eigenvalues (and, for small matrices, eigenvectors) of symmetric matrices stored
/// column-major with the upper triangle filled in. Results are largest first.
enum SymmetricEigen {
    /// Eigenvalues only (`ssyevd`, jobz N: `ssytrd` + `ssterf`).
    ///
    /// Not the two-stage `ssyevd_2stage`, although it is the textbook lever for
    /// eigenvalues only: with the LAPACK inside Debian's OpenBLAS 0.3.21 (pthreads, no
    /// OpenMP, so the bulge chasing runs on one core) it measured 1.28 s against 0.28 s
    /// at order 2048 and 5.1 s against 2.2 s at 4096 on 2 cores (docs/benchmarks.md).
    static func eigenvalues(_ a: inout [Float], order n: Int) throws(LinearAlgebraError) -> [Float] {
        var w = [Float](repeating: 0, count: n)
        let info = LAPACKE_ssyevd(LAPACK_COL_MAJOR, jobzNone, uploUpper, Int32(n), &a, Int32(n), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "ssyevd failed with info = \(info) on a Gram of order \(n)")
        }
        return w.reversed()
    }

    /// Eigenvalues only, in Float64 (`dsyevd`; the two-stage variant is slower here too).
    static func eigenvalues(_ a: inout [Double], order n: Int) throws(LinearAlgebraError) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobzNone, uploUpper, Int32(n), &a, Int32(n), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsyevd failed with info = \(info) on a Gram of order \(n)")
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
