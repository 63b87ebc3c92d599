/// A dense matrix stored row-major, the layout of safetensors and `.npy` (C order).
///
/// LAPACK is called column-major throughout (LAPACKE 3.11's row-major `sgesdd` path is
/// broken), so a row-major `rows × columns` buffer is handed to it as the column-major
/// `columns × rows` transpose; the routines in this module account for that.
public struct Matrix<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major elements: element (i, j) is `storage[i * columns + j]`.
    public var storage: [Scalar]

    /// Wraps `storage` (row-major); its count must be `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Scalar]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw LinearAlgebraError(.shapeMismatch,
                "matrix of \(rows) × \(columns) needs \(rows * columns) elements, got \(storage.count)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix of zeros.
    public init(zeros rows: Int, _ columns: Int) {
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: 0, count: rows * columns)
    }

    public subscript(row: Int, column: Int) -> Scalar {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The shape as `[rows, columns]`, the way tensors report it.
    public var shape: [Int] { [rows, columns] }

    /// The same values converted to another floating-point type.
    public func converted<Other: BinaryFloatingPoint & Sendable>(to _: Other.Type) -> Matrix<Other> {
        var out = Matrix<Other>(zeros: rows, columns)
        out.storage = storage.map { Other($0) }
        return out
    }

    /// The transpose, materialized.
    public func transposed() -> Matrix<Scalar> {
        var out = Matrix<Scalar>(zeros: columns, rows)
        for i in 0..<rows {
            for j in 0..<columns {
                out.storage[j * rows + i] = storage[i * columns + j]
            }
        }
        return out
    }
}
