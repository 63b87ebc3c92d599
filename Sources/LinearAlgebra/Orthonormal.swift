internal import CLinalg

/// Orthonormal bases of column-major blocks, for the randomized range finders.
enum Orthonormal {
    /// Replaces the column-major `rows × k` block with an orthonormal basis of its range
    /// (Householder QR: `sgeqrf` then `sorgqr`), which stays orthonormal to working
    /// precision even when the columns are nearly dependent, as power iterates become.
    static func basis(_ a: inout [Float], rows: Int, columns k: Int) throws(LinearAlgebraError) {
        var tau = [Float](repeating: 0, count: k)
        var info = LAPACKE_sgeqrf(LAPACK_COL_MAJOR, Int32(rows), Int32(k), &a, Int32(rows), &tau)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "sgeqrf failed with info = \(info) on a \(rows) × \(k) block")
        }
        info = LAPACKE_sorgqr(LAPACK_COL_MAJOR, Int32(rows), Int32(k), Int32(k), &a, Int32(rows), tau)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "sorgqr failed with info = \(info) on a \(rows) × \(k) block")
        }
    }

    /// Removes from `v` (rows × k) its components in the span of the orthonormal `q`
    /// (rows × p): v ← v − q(qᵀv). Done twice by callers ("twice is enough", Giraud et
    /// al.) because one classical Gram–Schmidt pass loses orthogonality when v lies
    /// almost inside span(q), which is exactly the Krylov situation.
    static func project(out v: inout [Float], rows: Int, columns k: Int, against q: [Float], basisColumns p: Int) {
        guard p > 0 else { return }
        var c = [Float](repeating: 0, count: p * k)
        cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(k), Int32(rows),
                    1, q, Int32(rows), v, Int32(rows), 0, &c, Int32(p))
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(k), Int32(p),
                    -1, q, Int32(rows), c, Int32(p), 1, &v, Int32(rows))
    }

    /// Euclidean norms of the columns of a column-major `rows × k` block.
    static func columnNorms(_ v: [Float], rows: Int, columns k: Int) -> [Double] {
        (0..<k).map { j in
            Double(v.withUnsafeBufferPointer { cblas_snrm2(Int32(rows), $0.baseAddress! + j * rows, 1) })
        }
    }
}
