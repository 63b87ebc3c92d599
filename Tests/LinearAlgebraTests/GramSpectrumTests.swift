import Testing
@testable import LinearAlgebra

@Suite struct GramSpectrumTests {
    // Oracle: singular values of a matrix built from known ones. A = diag(3, 2, 1) padded
    // with zero rows/columns has squared singular values 9, 4, 1 exactly; Float64 dsyevd
    // on so small a Gram is exact to a few ulps, hence 1e-12.
    @Test(arguments: [(5, 3), (3, 5), (3, 3)])
    func diagonalMatrixHasItsSquaresAsSpectrum(rows: Int, columns: Int) throws {
        var m = Matrix<Float>(zeros: rows, columns)
        for (k, s) in [Float(3), 2, 1].enumerated() { m[k, k] = s }
        let values = try GramSpectrum.squaredSingularValues(of: m)
        #expect(values.count == min(rows, columns))
        for (got, want) in zip(values, [9.0, 4, 1]) { #expect(abs(got - want) < 1e-12) }
    }

    // Oracle: trace(WᵀW) = ‖W‖²_F computed directly in Float64; tolerance 1e-10 relative,
    // far above the round-off of an order-7 Gram.
    @Test func spectrumSumsToFrobeniusNorm() throws {
        var m = Matrix<Float>(zeros: 11, 7)
        for i in 0..<11 { for j in 0..<7 { m[i, j] = Float((i * 7 + j) % 13) - 6 } }
        let values = try GramSpectrum.squaredSingularValues(of: m)
        let frobenius = m.storage.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(values.reduce(0, +) - frobenius) / frobenius < 1e-10)
        #expect(values == values.sorted(by: >))
    }

    @Test func nonFiniteElementIsNamed() {
        var m = Matrix<Float>(zeros: 2, 2)
        m[1, 0] = .nan
        #expect(throws: LinearAlgebraError(.nonFinite, "element (1, 0) is nan")) {
            try GramSpectrum.squaredSingularValues(of: m)
        }
    }
}
