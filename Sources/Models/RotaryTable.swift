import LinearAlgebra
import Checkpoints
import Foundation

/// cos and sin of rotary position embeddings for positions 0..<length, computed the way
/// transformers does in Float32 (inverse frequencies, then position × frequency rounded to
/// Float32, then cos and sin), so long positions round like the reference.
struct RotaryTable {
    /// How many leading dimensions of each head rotate (even).
    let dimensions: Int
    let half: Int
    /// length × half, row-major.
    private let cosines: [Float]
    private let sines: [Float]

    init(dimensions: Int, base: Double, scaling: RopeScaling = .none, length: Int) {
        self.dimensions = dimensions
        half = dimensions / 2
        let inverse = Self.inverseFrequencies(dimensions: dimensions, base: base, scaling: scaling)
        var cosines = [Float](repeating: 0, count: length * half)
        var sines = cosines
        for p in 0..<length {
            for i in 0..<half {
                let angle = Float(p) * inverse[i]
                cosines[p * half + i] = Float(cos(Double(angle)))
                sines[p * half + i] = Float(sin(Double(angle)))
            }
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// 1 / base^(2i / dimensions) for i < dimensions / 2, rescaled as `scaling` says, in
    /// Float32 step by step as transformers computes them (its tensors are float32).
    static func inverseFrequencies(dimensions: Int, base: Double, scaling: RopeScaling) -> [Float] {
        let plain: [Float] = (0..<(dimensions / 2)).map { i in
            let exponent = Float(2 * i) / Float(dimensions)
            return 1 / Float(pow(base, Double(exponent)))
        }
        switch scaling {
        case .none:
            return plain
        case .linear(let factor):
            return plain.map { $0 / Float(factor) }
        case .llama3(let factor, let low, let high, let original):
            let factor = Float(factor), context = Float(original)
            let lowWavelength = Float(Double(original) / low), highWavelength = Float(Double(original) / high)
            return plain.map { frequency in
                let wavelength = 2 * Float.pi / frequency
                if wavelength < highWavelength { return frequency }
                if wavelength > lowWavelength { return frequency / factor }
                let smooth = (context / wavelength - Float(low)) / (Float(high) - Float(low))
                return (1 - smooth) * frequency / factor + smooth * frequency
            }
        }
    }

    /// Rotates the first `dimensions` values of each head in rows of `x`: row r (stride
    /// `ld`) is at `positions[r]`, and its heads start at `headOffsets` (GPT-NeoX's
    /// rotate_half: value i pairs with value i + half).
    func apply(_ x: UnsafeMutablePointer<Float>, ld: Int, positions: [Int32], headOffsets: [Int]) {
        guard half > 0 else { return }
        cosines.withUnsafeBufferPointer { cosBuffer in
            sines.withUnsafeBufferPointer { sinBuffer in
                positions.withUnsafeBufferPointer { pos in
                    Parallel.rows(pos.count, work: pos.count * headOffsets.count * dimensions) { range in
                        for r in range {
                            let c = cosBuffer.baseAddress! + Int(pos[r]) * half
                            let s = sinBuffer.baseAddress! + Int(pos[r]) * half
                            for offset in headOffsets {
                                let v = x + r * ld + offset
                                for i in 0..<half {
                                    let a = v[i], b = v[i + half]
                                    v[i] = a * c[i] - b * s[i]
                                    v[i + half] = b * c[i] + a * s[i]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
