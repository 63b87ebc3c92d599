internal import CLinalg

/// Eigenpairs of small symmetric matrices stored column-major with the upper triangle
/// filled in, largest first. (Eigenvalues-only solves of a Gram go through
/// `TridiagonalGram`, which keeps the reduction for the raw spectrum and refinement.)
enum SymmetricEigen {
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

    private static let jobzVectors = Int8(UInt8(ascii: "V"))
    private static let uploUpper = Int8(UInt8(ascii: "U"))
}
