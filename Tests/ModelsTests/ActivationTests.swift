import Foundation
import Testing
@testable import Models

@Suite struct ActivationTests {
    /// Oracle: glibc's erf in Float64. Tolerance 5e-7 absolute: the rational approximation's
    /// error is below 4.2e-7 on the grid, a few Float32 ulps of values near ±1.
    @Test func erfApproximationMatchesLibm() {
        var worst = 0.0
        for i in -60_000...60_000 {
            let x = Double(i) / 10_000
            worst = max(worst, abs(Double(Activation.erfApproximation(Float(x))) - erf(Double(Float(x)))))
        }
        #expect(worst < 5e-7, "max |erf error| = \(worst)")
    }

    /// Oracle: 0.5 x (1 + erf(x / √2)) in Float64; 1e-6 absolute over |x| ≤ 8.
    @Test func exactGELU() {
        var values = (-800...800).map { Float($0) / 100 }
        let inputs = values
        values.withUnsafeMutableBufferPointer { Activation.gelu($0.baseAddress!, count: $0.count, tanhForm: false) }
        for (x, y) in zip(inputs, values) {
            let expected = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(y) - expected) < 1e-6, "gelu(\(x)) = \(y), expected \(expected)")
        }
    }

    @Test func configNames() {
        #expect(Activation(configName: "gelu") == .gelu)
        #expect(Activation(configName: "gelu_new") == .geluTanh && Activation(configName: "gelu_fast") == .geluTanh)
        #expect(Activation(configName: "silu") == .silu)
        #expect(Activation(configName: "relu") == nil)
    }
}
