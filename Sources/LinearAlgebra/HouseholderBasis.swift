internal import CLinalg

/// The orthogonal Q of a Householder QR of k columns in Rⁿ (`dgeqrf`): its first k
/// columns span them, the rest is their orthogonal complement. Applied without ever
/// forming Q (`dormqr`), at 4·n·k flops per vector.
struct HouseholderBasis {
    let order: Int
    let count: Int
    private let factors: [Double]
    private let tau: [Double]

    init(order: Int, count: Int, factors: [Double], tau: [Double]) {
        (self.order, self.count, self.factors, self.tau) = (order, count, factors, tau)
    }

    /// Q of the column-major `order × count` matrix `columns`.
    init(columns: [Double], order n: Int, count k: Int) throws(LinearAlgebraError) {
        var a = columns
        var tau = [Double](repeating: 0, count: max(k, 1))
        if k > 0 {
            let info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(n), Int32(k), &a, Int32(n), &tau)
            guard info == 0 else {
                throw LinearAlgebraError(.lapackFailure, "dgeqrf failed with info = \(info) on \(k) directions of length \(n)")
            }
        }
        self.init(order: n, count: k, factors: a, tau: tau)
    }

    /// c ← Qᵀc (`transpose`) or Qc, for `columns` column-major vectors of length `order`.
    func apply(transpose: Bool, to c: inout [Double], columns: Int) throws(LinearAlgebraError) {
        guard count > 0, columns > 0 else { return }
        var a = factors
        let info = LAPACKE_dormqr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: transpose ? "T" : "N")),
                                  Int32(order), Int32(columns), Int32(count), &a, Int32(order), tau, &c, Int32(order))
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dormqr failed with info = \(info) on \(columns) vectors of length \(order)")
        }
    }

    /// Q = I − V T Vᵀ in compact WY form (`dlarft`): V (order × count, unit lower
    /// trapezoidal) and the upper triangular T (count × count), both column-major, so
    /// that Q is applied to a whole block with two thin products instead of `count`
    /// rank-one passes.
    func compactWY() -> (v: [Double], t: [Double]) {
        let n = order, k = count
        var v = factors
        for j in 0..<k {
            for i in 0..<j { v[j * n + i] = 0 }
            v[j * n + j] = 1
        }
        var t = [Double](repeating: 0, count: k * k)
        if k > 0 {
            // dlarft only reads V and tau and writes T; it cannot fail.
            _ = LAPACKE_dlarft_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "F")), Int8(UInt8(ascii: "C")), Int32(n), Int32(k),
                                    v, Int32(n), tau, &t, Int32(k))
        }
        return (v, t)
    }

    /// Q's first `count` columns (an orthonormal basis of the given directions).
    func leadingColumns() throws(LinearAlgebraError) -> [Double] {
        var e = [Double](repeating: 0, count: order * count)
        for i in 0..<count { e[i * order + i] = 1 }
        try apply(transpose: false, to: &e, columns: count)
        return e
    }
}
