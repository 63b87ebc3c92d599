import LinearAlgebra
import Foundation

/// The normalizations of the three families, applied row by row.
enum Norm: Sendable {
    /// LayerNorm with weight and bias (GPT-NeoX).
    case layerNorm(weight: [Float], bias: [Float], epsilon: Float)
    /// LayerNorm without parameters (OLMo: `F.layer_norm(x, shape, None, None, 1e-5)`).
    case nonParametric(epsilon: Float)
    /// RMSNorm: x / sqrt(mean(x²) + ε) · weight (OLMo-2, Llama, Qwen2, Mistral).
    case rms(weight: [Float], epsilon: Float)

    /// Normalizes each of `rows` rows of `width` values from `x` (row stride ldx) into `y`
    /// (row stride ldy); `x` and `y` may be the same buffer.
    func apply(_ x: UnsafePointer<Float>, ldx: Int, rows: Int, width: Int,
               into y: UnsafeMutablePointer<Float>, ldy: Int) {
        switch self {
        case .layerNorm(let weight, let bias, let epsilon):
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    Parallel.rows(rows, work: rows * width) { range in
                        for r in range {
                            Self.layerNormRow(x + r * ldx, y + r * ldy, width, epsilon, w.baseAddress, b.baseAddress)
                        }
                    }
                }
            }
        case .nonParametric(let epsilon):
            Parallel.rows(rows, work: rows * width) { range in
                for r in range { Self.layerNormRow(x + r * ldx, y + r * ldy, width, epsilon, nil, nil) }
            }
        case .rms(let weight, let epsilon):
            weight.withUnsafeBufferPointer { w in
                Parallel.rows(rows, work: rows * width) { range in
                    for r in range { Self.rmsRow(x + r * ldx, y + r * ldy, width, epsilon, w.baseAddress!) }
                }
            }
        }
    }

    /// Mean and biased variance as torch's layer_norm takes them, summed in eight lanes
    /// (Float32 is enough at these widths: the tolerance against torch is 1e-4).
    private static func layerNormRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                                     _ epsilon: Float, _ w: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?) {
        let mean = Lanes.sum(x, n) / Float(n)
        let variance = Lanes.sumOfSquares(x, n, minus: mean) / Float(n)
        let scale = 1 / (variance + epsilon).squareRoot()
        if let w, let b {
            for j in 0..<n { y[j] = (x[j] - mean) * scale * w[j] + b[j] }
        } else {
            for j in 0..<n { y[j] = (x[j] - mean) * scale }
        }
    }

    private static func rmsRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                               _ epsilon: Float, _ w: UnsafePointer<Float>) {
        let meanSquare = Lanes.sumOfSquares(x, n, minus: 0) / Float(n)
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        for j in 0..<n { y[j] = w[j] * (x[j] * scale) }
    }
}

/// Reductions in SIMD lanes: a scalar Float loop is not vectorized (the compiler may not
/// reassociate the sum), and these run over every activation of every layer.
enum Lanes {
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n {
            acc += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var total = acc.sum()
        while j < n { total += x[j]; j += 1 }
        return total
    }

    static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int, minus center: Float) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        let c = SIMD8<Float>(repeating: center)
        var j = 0
        while j + 8 <= n {
            let d = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self) - c
            acc += d * d
            j += 8
        }
        var total = acc.sum()
        while j < n { let d = x[j] - center; total += d * d; j += 1 }
        return total
    }
}
