internal import CLinalg

/// A Gram reduced once to tridiagonal form T = QᵀAQ (`ssytrd`/`dsytrd`, upper storage),
/// kept so that several spectra can be read off it: the centered one, the raw one (by the
/// correction of `MeanReflection`), and eigenvectors of a few leading eigenvalues for
/// refinement (Float32 only: the reflectors of Q are kept for the back-transform).
///
/// The reduction is the whole O(n³) cost of an eigenvalues-only solve; `sterf` on T is
/// O(n²). That is what `syevd` with jobz N does, split so T is not thrown away. (Not the
/// two-stage reduction: with the LAPACK inside Debian's OpenBLAS 0.3.21 it measured
/// slower, 5.1 s against 2.2 s at order 4096 on 2 cores; docs/benchmarks.md.)
struct TridiagonalGram {
    /// Order of T.
    let order: Int
    /// Diagonal and off-diagonal of T, widened to Float64 (`sterf` runs in Float64).
    let diagonal: [Double]
    let offDiagonal: [Double]
    /// Float32 reduction only: the reflectors as `ssytrd` leaves them, leading dimension `lda`.
    private let reflectors: [Float]?
    private let tau: [Float]?
    private let lda: Int

    /// Reduces the leading `order` rows and columns of the column-major `lda × lda` `a`.
    init(reducing a: inout [Float], order n: Int, lda: Int) throws(LinearAlgebraError) {
        var d = [Float](repeating: 0, count: n), e = [Float](repeating: 0, count: max(n - 1, 1))
        var tau = [Float](repeating: 0, count: max(n - 1, 1))
        let info = LAPACKE_ssytrd(LAPACK_COL_MAJOR, Self.uploUpper, Int32(n), &a, Int32(lda), &d, &e, &tau)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "ssytrd failed with info = \(info) on a Gram of order \(n)")
        }
        order = n
        diagonal = d.map(Double.init)
        offDiagonal = Array(e.prefix(max(n - 1, 0))).map(Double.init)
        reflectors = a
        self.tau = tau
        self.lda = lda
    }

    init(reducing a: inout [Double], order n: Int, lda: Int) throws(LinearAlgebraError) {
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: max(n - 1, 1))
        var tau = [Double](repeating: 0, count: max(n - 1, 1))
        let info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, Self.uploUpper, Int32(n), &a, Int32(lda), &d, &e, &tau)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsytrd failed with info = \(info) on a Gram of order \(n)")
        }
        order = n
        diagonal = d
        offDiagonal = Array(e.prefix(max(n - 1, 0)))
        reflectors = nil
        self.tau = nil
        self.lda = lda
    }

    /// Eigenvalues of T, largest first.
    func eigenvalues() throws(LinearAlgebraError) -> [Double] {
        try Self.eigenvalues(diagonal: diagonal, offDiagonal: offDiagonal)
    }

    /// Eigenvalues of T extended by one row and column: diagonal `corner`, coupling
    /// `coupling` to T's last row, and `shift` added to T's last diagonal entry first.
    func eigenvalues(shiftingLast shift: Double, extendedBy corner: Double?, coupling: Double) throws(LinearAlgebraError) -> [Double] {
        var d = diagonal, e = offDiagonal
        if corner == nil, let last = d.indices.last { d[last] += shift }
        if let corner { d.append(corner); e.append(coupling) }
        return try Self.eigenvalues(diagonal: d, offDiagonal: e)
    }

    static func eigenvalues(diagonal: [Double], offDiagonal: [Double]) throws(LinearAlgebraError) -> [Double] {
        var d = diagonal, e = offDiagonal + [0]
        let info = LAPACKE_dsterf(Int32(d.count), &d, &e)
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "dsterf failed with info = \(info) on a tridiagonal of order \(d.count)")
        }
        return d.reversed()
    }

    /// Eigenvectors of the `count` largest eigenvalues of the symmetric tridiagonal
    /// (`dstemr`), column-major order × count, largest first.
    static func leadingEigenvectors(diagonal: [Double], offDiagonal: [Double], count t: Int)
        throws(LinearAlgebraError) -> [Double] {
        let n = diagonal.count
        var d = diagonal, e = offDiagonal + [0]
        var found: Int32 = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * t)
        var support = [Int32](repeating: 0, count: 2 * t)
        var tryrac: Int32 = 1
        let info = LAPACKE_dstemr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "I")), Int32(n), &d, &e,
                                  0, 0, Int32(n - t + 1), Int32(n), &found, &w, &z, Int32(n), Int32(t), &support, &tryrac)
        guard info == 0, found == Int32(t) else {
            throw LinearAlgebraError(.lapackFailure, "dstemr failed with info = \(info) (\(found) of \(t) vectors) on a tridiagonal of order \(n)")
        }
        // dstemr returns ascending order; reverse the columns.
        var out = [Double](repeating: 0, count: n * t)
        for c in 0..<t { out.replaceSubrange((c * n)..<((c + 1) * n), with: z[((t - 1 - c) * n)..<((t - c) * n)]) }
        return out
    }

    /// y ← Q y for `t` column-major vectors of length `order` (Float32 reduction only).
    func applyQ(to y: inout [Double], columns t: Int) throws(LinearAlgebraError) {
        guard let reflectors, let tau else {
            throw LinearAlgebraError(.lapackFailure, "the Float64 reduction keeps no reflectors to back-transform with")
        }
        var a = reflectors
        var c = y.map(Float.init)
        let info = LAPACKE_sormtr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Self.uploUpper, Int8(UInt8(ascii: "N")),
                                  Int32(order), Int32(t), &a, Int32(lda), tau, &c, Int32(order))
        guard info == 0 else {
            throw LinearAlgebraError(.lapackFailure, "sormtr failed with info = \(info) on \(t) vectors of order \(order)")
        }
        y = c.map(Double.init)
    }

    private static let uploUpper = Int8(UInt8(ascii: "U"))
}
