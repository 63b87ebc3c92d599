internal import CLinalg

/// Eigenvalues of Gram matrices: the squared singular values of a matrix.
public enum GramSpectrum {
    /// The eigenvalues of WᵀW (equivalently the squared singular values of W), largest
    /// first, for W of any shape: the Gram is formed on the smaller side, so an n × m
    /// matrix yields min(n, m) values.
    ///
    /// Accumulates in Float64: this is WeightWatcher's convention for weight spectra, and
    /// the smallest squared singular values of a trained layer sit far below what a
    /// Float32 Gram resolves next to the largest.
    public static func squaredSingularValues(of matrix: Matrix<Float>) throws(LinearAlgebraError) -> [Double] {
        guard matrix.rows > 0, matrix.columns > 0 else {
            throw LinearAlgebraError(.emptyMatrix, "matrix of shape \(matrix.rows) × \(matrix.columns) is empty")
        }
        var values = [Double](repeating: 0, count: matrix.storage.count)
        for (index, value) in matrix.storage.enumerated() {
            guard value.isFinite else {
                let row = index / matrix.columns, column = index % matrix.columns
                throw LinearAlgebraError(.nonFinite, "element (\(row), \(column)) is \(value)")
            }
            values[index] = Double(value)
        }
        let gram = symmetricGram(rowMajor: values, rows: matrix.rows, columns: matrix.columns)
        return try symmetricEigenvalues(upper: gram.values, order: gram.order)
    }

    /// Forms the Gram on the smaller side of a row-major `rows × columns` matrix, with
    /// only the upper triangle (column-major) filled in.
    static func symmetricGram(rowMajor a: [Double], rows: Int, columns: Int) -> (values: [Double], order: Int) {
        // Row-major A (rows × columns) is column-major Aᵀ (columns × rows), lda = columns.
        if columns <= rows {
            // AᵀA (columns × columns) = (Aᵀ)(Aᵀ)ᵀ: no transpose on the column-major view.
            var c = [Double](repeating: 0, count: columns * columns)
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(columns), Int32(rows),
                        1, a, Int32(columns), 0, &c, Int32(columns))
            return (c, columns)
        } else {
            // AAᵀ (rows × rows) = (Aᵀ)ᵀ(Aᵀ).
            var c = [Double](repeating: 0, count: rows * rows)
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(rows), Int32(columns),
                        1, a, Int32(columns), 0, &c, Int32(rows))
            return (c, rows)
        }
    }

    /// Eigenvalues of a symmetric matrix whose upper triangle (column-major) is given,
    /// largest first. Uses `dsyevd` without eigenvectors.
    public static func symmetricEigenvalues(upper matrix: [Double], order: Int) throws(LinearAlgebraError) -> [Double] {
        guard matrix.count == order * order else {
            throw LinearAlgebraError(.shapeMismatch, "symmetric matrix of order \(order) needs \(order * order) elements, got \(matrix.count)")
        }
        var a = matrix
        var w = [Double](repeating: 0, count: order)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                                  Int32(order), &a, Int32(order), &w)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsyevd failed with info = \(info) on a matrix of order \(order)")
        }
        return w.reversed()
    }
}
