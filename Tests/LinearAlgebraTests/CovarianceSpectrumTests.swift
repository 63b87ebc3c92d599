import SpectraTestSupport
import Testing
@testable import LinearAlgebra

@Suite struct CovarianceSpectrumTests {
    // Oracle: scikit-learn PCA(svd_solver="full").explained_variance_ on the Float64 copy
    // (Tests/Fixtures/spectral). Tolerance 1e-4 relative on every eigenvalue above
    // λ₁·1e-3, where the Float32 input's own rounding (1e-7 relative per element) and a
    // Float32 Gram (auto keeps it only while ε₃₂·λ₁/λ_K ≤ 1e-3) stay far below it; the
    // deeper tail is checked at 1e-4·λ₁ absolute, the scale of Float32 Gram round-off.
    @Test(arguments: Fixtures.representationNames)
    func exactEigenvaluesMatchScikitLearn(name: String) throws {
        let x = try Fixtures.matrix(name)
        let want = try Fixtures.representation(name)["eigenvalues"] as! [Double]
        let got = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact))
        #expect(got.method == .exact)
        #expect(got.eigenvalues.count == want.count)
        for (i, (g, w)) in zip(got.eigenvalues, want).enumerated() {
            if w > want[0] * 1e-3 {
                #expect(abs(g - w) / w < 1e-4, "\(name) λ_\(i + 1): \(g) vs \(w)")
            } else {
                #expect(abs(g - w) < want[0] * 1e-4, "\(name) λ_\(i + 1): \(g) vs \(w)")
            }
        }
    }

    // The precision switch: λ₁/λ_K = 1e8 on ill_conditioned is past what Float32 resolves
    // (ε₃₂·1e8 ≈ 12 ≫ 1e-3), so auto must refine in Float64 (mixed: all 64 values are
    // within the 128 refined), which then matches sklearn to 1e-6 relative on every
    // eigenvalue down to λ_64 (Float64 round-off ≈ 1e-16·1e8), as forced Float64 does.
    // Forced Float32 demonstrably cannot: its smallest eigenvalue is off by more than 1%.
    @Test func illConditionedMatrixSwitchesToFloat64() throws {
        let x = try Fixtures.matrix("ill_conditioned")
        let want = try Fixtures.representation("ill_conditioned")["eigenvalues"] as! [Double]
        let auto = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, precision: .auto))
        #expect(auto.precision == .mixed)
        #expect(maxRelativeError(auto.eigenvalues, want) < 1e-6)
        let double = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, precision: .float64))
        #expect(double.precision == .float64)
        #expect(maxRelativeError(double.eigenvalues, want) < 1e-6)
        let single = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, precision: .float32))
        #expect(single.precision == .float32)
        #expect(abs(single.eigenvalues.last! - want.last!) / want.last! > 1e-2)
    }

    // A well-conditioned Gaussian matrix (λ₁/λ_K ≈ 3) stays in Float32 under auto.
    @Test func wellConditionedMatrixStaysFloat32() throws {
        let x = try Fixtures.matrix("gaussian")
        let got = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact))
        #expect(got.precision == .float32)
    }

    // Oracle: the same matrix in row-major order. Fortran-order input must give the same
    // spectrum up to summation order: 1e-5 relative (Float32 products, different order).
    @Test func columnMajorInputGivesTheSameSpectrum() throws {
        let x = try Fixtures.matrix("powerlaw")
        let rowMajor = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, precision: .float64))
        let columnMajor = x.transposed().storage
        let got = try columnMajor.withUnsafeBufferPointer { buffer in
            try CovarianceSpectrum.compute(elements: buffer, rows: x.rows, columns: x.columns, order: .columnMajor,
                                           options: SpectrumOptions(method: .exact, precision: .float64))
        }
        #expect(maxRelativeError(got.eigenvalues, rowMajor.eigenvalues) < 1e-5)
    }

    // Oracle: numpy's singular values of the raw X (fixtures' Garrido inputs are derived
    // from them); checked through RankMe-independent values: σ₁ of the raw powerlaw matrix
    // (mean 3 per column) equals √λ₁ of XᵀX. Tolerance 1e-4 relative.
    @Test func rawSingularValuesComeFromTheUncenteredMatrix() throws {
        let x = try Fixtures.matrix("powerlaw")
        let options = SpectrumOptions(method: .exact, precision: .float64, includeRawSingularValues: true)
        let got = try CovarianceSpectrum.compute(x, options: options)
        let direct = try GramSpectrum.squaredSingularValues(of: x).map { $0.squareRoot() }
        #expect(maxRelativeError(got.rawSingularValues!, direct, count: 20) < 1e-4)
        // The wide (N < d) case goes through the rank-two update of XXᵀ.
        let wide = try Fixtures.matrix("wide")
        let gotWide = try CovarianceSpectrum.compute(wide, options: options)
        let directWide = try GramSpectrum.squaredSingularValues(of: wide).map { $0.squareRoot() }
        #expect(maxRelativeError(gotWide.rawSingularValues!, directWide, count: 50) < 1e-4)
    }

    @Test func maxComponentsTruncates() throws {
        let x = try Fixtures.matrix("gaussian")
        let got = try CovarianceSpectrum.compute(x, options: SpectrumOptions(method: .exact, maxComponents: 7))
        #expect(got.eigenvalues.count == 7)
    }

    @Test func nonFiniteInputIsNamedByPosition() throws {
        var x = Matrix<Float>(zeros: 4, 3)
        x[2, 1] = .infinity
        #expect(throws: LinearAlgebraError(.nonFinite, "element (2, 1) is inf")) {
            try CovarianceSpectrum.compute(x)
        }
    }

    @Test func tooFewSamplesIsAnError() {
        let x = Matrix<Float>(zeros: 1, 5)
        #expect(throws: LinearAlgebraError.self) { try CovarianceSpectrum.compute(x) }
        #expect(throws: LinearAlgebraError(.emptyMatrix, "matrix of shape 3 × 0 is empty")) {
            try CovarianceSpectrum.compute(Matrix<Float>(zeros: 3, 0))
        }
    }
}
