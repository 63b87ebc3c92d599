internal import CLinalg

/// Puts the column means' directions at the end of the Gram's basis, so one
/// tridiagonalization serves both the centered spectrum and the raw (uncentered) one.
///
/// The raw Gram differs from the centered Gram G by a low-rank term in the span of the
/// mean directions: XᵀX = G + N μμᵀ (Gram on the features, d ≤ N), and
/// XXᵀ = G + v1ᵀ + 1vᵀ + ‖μ‖² 11ᵀ with v = Xc μ (Gram on the samples; 1 ⊥ v because the
/// columns of Xc sum to zero). Householder reflectors H map those directions to the last
/// basis vectors, and LAPACK's upper-storage tridiagonal reduction (`sytrd`, UPLO U)
/// never moves e_n. So with T = Qᵀ(HGH)Q the raw Gram becomes T plus a correction in its
/// last entries, still tridiagonal:
/// - features side: T_raw = T with T[n,n] += N‖μ‖².
/// - samples side: u = 1/√N is an exact null vector of G, so H maps u to e_n and
///   w = v/‖v‖ to e_{n−1}; the reduction runs on the leading n − 1 rows only (the
///   dropped row is zero), the centered spectrum gains that exact zero, and
///   T_raw = [[T, √N‖v‖ e], [√N‖v‖ eᵀ, N‖μ‖²]] of order n.
/// The raw spectrum then costs one `sterf` (O(n²)), not a second O(n³) eigensolve.
struct MeanReflection {
    /// Householder vectors, applied in order to the Gram (H = I − 2vvᵀ/vᵀv).
    var reflectors: [[Double]]
    /// Order of the block the tridiagonal reduction runs on (n, or n − 1 on the samples side).
    var reducedOrder: Int
    /// Added to the last diagonal entry of the raw tridiagonal.
    var rawDiagonal: Double
    /// The raw tridiagonal's extra off-diagonal (samples side only; nil on the features side).
    var rawCoupling: Double?

    /// Identity: no mean to account for (the raw spectrum is not wanted).
    static func none(order n: Int) -> MeanReflection {
        MeanReflection(reflectors: [], reducedOrder: n, rawDiagonal: 0, rawCoupling: nil)
    }

    static func of(_ x: CenteredMatrix) -> MeanReflection {
        let n = Double(x.samples)
        let norm2 = x.means.reduce(0) { $0 + $1 * $1 }
        if x.features <= x.samples {
            guard norm2 > 0 else { return .none(order: x.features) }
            return MeanReflection(reflectors: [reflector(to: x.features - 1, x.means)], reducedOrder: x.features,
                                  rawDiagonal: n * norm2, rawCoupling: nil)
        }
        let m = x.samples
        let ones = [Double](repeating: 1, count: m)
        let h1 = reflector(to: m - 1, ones)
        var v = x.multiply(transpose: false, x.means.map(Float.init), columns: 1).map(Double.init)
        // w = H1 v: v ⊥ 1 up to round-off, so its last component is dropped with the null row.
        apply(h1, to: &v)
        v[m - 1] = 0
        let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var reflectors = [h1]
        if vNorm > 0 { reflectors.append(reflector(to: m - 2, v)) }
        return MeanReflection(reflectors: reflectors, reducedOrder: m - 1, rawDiagonal: n * norm2,
                              rawCoupling: n.squareRoot() * vNorm)
    }

    /// The Householder vector v with H a = ±‖a‖ e_k (the sign that avoids cancellation).
    static func reflector(to k: Int, _ a: [Double]) -> [Double] {
        let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var v = a
        v[k] += a[k] >= 0 ? norm : -norm
        return v
    }

    /// x ← H x for one reflector.
    static func apply(_ v: [Double], to x: inout [Double]) {
        let vv = v.reduce(0) { $0 + $1 * $1 }
        guard vv > 0 else { return }
        var dot = 0.0
        for i in v.indices { dot += v[i] * x[i] }
        let s = 2 * dot / vv
        for i in v.indices { x[i] -= s * v[i] }
    }

    /// A ← H A H for each reflector in turn, A symmetric (upper triangle, column-major).
    func transform(_ a: inout [Double], order n: Int) {
        for v in reflectors {
            let tau = 2 / v.reduce(0) { $0 + $1 * $1 }
            var p = [Double](repeating: 0, count: n)
            cblas_dsymv(CblasColMajor, CblasUpper, Int32(n), tau, a, Int32(n), v, 1, 0, &p, 1)
            var pv = 0.0
            for i in 0..<n { pv += p[i] * v[i] }
            let k = 0.5 * tau * pv
            for i in 0..<n { p[i] -= k * v[i] }
            cblas_dsyr2(CblasColMajor, CblasUpper, Int32(n), -1, v, 1, p, 1, &a, Int32(n))
        }
    }

    /// The same in Float32 (the reflectors are rounded; H stays orthogonal to ε₃₂).
    func transform(_ a: inout [Float], order n: Int) {
        for v64 in reflectors {
            let v = v64.map(Float.init)
            let tau = Float(2 / v64.reduce(0) { $0 + $1 * $1 })
            var p = [Float](repeating: 0, count: n)
            cblas_ssymv(CblasColMajor, CblasUpper, Int32(n), tau, a, Int32(n), v, 1, 0, &p, 1)
            var pv: Float = 0
            for i in 0..<n { pv += p[i] * v[i] }
            let k = 0.5 * tau * pv
            for i in 0..<n { p[i] -= k * v[i] }
            cblas_ssyr2(CblasColMajor, CblasUpper, Int32(n), -1, v, 1, p, 1, &a, Int32(n))
        }
    }

    /// Eigenvectors of HGH back to G's basis: y ← H₁ ⋯ H_k y (the reverse order).
    func backTransform(_ y: inout [Double], order n: Int, columns t: Int) {
        for v in reflectors.reversed() {
            for c in 0..<t {
                var column = Array(y[(c * n)..<((c + 1) * n)])
                Self.apply(v, to: &column)
                y.replaceSubrange((c * n)..<((c + 1) * n), with: column)
            }
        }
    }
}
