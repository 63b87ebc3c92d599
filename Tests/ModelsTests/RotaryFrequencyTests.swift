import Checkpoints
import Testing
@testable import Models

/// Inverse rotary frequencies at Llama 3.1 8B's size, where the three llama3 bands each
/// hold many frequencies (the tiny fixtures hold one or two per band).
@Suite struct RotaryFrequencyTests {
    /// Oracle: transformers 5.23.0's ROPE_INIT_FUNCTIONS["llama3"] and ["linear"] (torch
    /// 2.13.0, float32) for head_dim 128. Tolerance 2e-6 relative: Swift's Float32 steps
    /// follow torch's, but pow comes from a different libm (an ulp or two).
    @Test("llama3 keeps short wavelengths, divides long ones and smooths between, as transformers does")
    func llama3() {
        let scaling = RopeScaling.llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalMaxPositions: 8192)
        let inverse = RotaryTable.inverseFrequencies(dimensions: 128, base: 500_000, scaling: scaling)
        #expect(inverse.count == 64)
        let expected: [(Int, Float)] = [(0, 1.0), (1, 0.8146172165870667), (20, 0.016560440883040428),
                                        (30, 0.0013718936825171113), (40, 3.428102354519069e-05),
                                        (45, 1.2297638932068367e-05), (63, 3.068925877869333e-07)]
        for (i, value) in expected {
            #expect(abs(inverse[i] - value) <= 2e-6 * value, "frequency \(i): \(inverse[i]) against \(value)")
        }
    }

    @Test("linear scaling divides every frequency by the factor")
    func linear() {
        let inverse = RotaryTable.inverseFrequencies(dimensions: 128, base: 10_000, scaling: .linear(factor: 4))
        for (i, value) in [(0, Float(0.25)), (1, 0.21649108827114105), (63, 2.8869548259535804e-05)] {
            #expect(abs(inverse[i] - value) <= 2e-6 * value, "frequency \(i): \(inverse[i]) against \(value)")
        }
        let plain = RotaryTable.inverseFrequencies(dimensions: 128, base: 10_000, scaling: .none)
        #expect(zip(plain, inverse).allSatisfy { $0 / 4 == $1 })
    }
}
