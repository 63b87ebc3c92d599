import LinearAlgebra
import Foundation

/// The MLP nonlinearities of the three families (config `hidden_act`).
enum Activation: String, Sendable {
    /// Exact GELU, 0.5 x (1 + erf(x / √2)) (`"gelu"`, Pythia).
    case gelu
    /// The tanh approximation (`"gelu_new"`, and `"gelu_fast"`, the same function).
    case geluTanh
    /// x σ(x), used gated: silu(gate) · up (`"silu"`, OLMo, OLMo-2, Llama, Qwen2, Mistral).
    case silu

    /// The activation `hidden_act` names; nil for one not implemented.
    init?(configName: String) {
        switch configName {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_fast", "gelu_pytorch_tanh": self = .geluTanh
        case "silu", "swish": self = .silu
        default: return nil
        }
    }

    /// Applies GELU in place to `count` contiguous values.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int, tanhForm: Bool) {
        Parallel.rows(count, work: count) { range in
            if tanhForm {
                for i in range {
                    let v = x[i]
                    x[i] = 0.5 * v * (1 + tanhf(0.797_884_56 * (v + 0.044_715 * v * v * v)))
                }
            } else {
                for i in range { x[i] = 0.5 * x[i] * (1 + erfApproximation(x[i] * 0.707_106_77)) }
            }
        }
    }

    /// `out[r, j] = silu(gate[r, j]) · up[r, j]` for `rows` rows of `width`, where gate and
    /// up are the two halves of each row of `fused` (row stride 2 · width).
    static func gatedSiLU(_ fused: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        Parallel.rows(rows, work: rows * width) { range in
            for r in range {
                let gate = fused + r * 2 * width, up = gate + width, row = out + r * width
                for j in 0..<width {
                    let g = gate[j]
                    row[j] = g / (1 + expf(-g)) * up[j]
                }
            }
        }
    }

    /// erf(x) for Float32 as a rational function of x² on [−4, 4] (|error| < 5e-7 against
    /// Python's math.erf; erf(±4) is ±1 to Float32 precision). Branch-free so the loop
    /// vectorizes: libm's erff costs several times more, on 75M values per Pythia-160m batch.
    @inline(__always)
    static func erfApproximation(_ value: Float) -> Float {
        let x = min(max(value, -4), 4), x2 = x * x
        var p: Float = -2.726_142_3e-10
        p = p * x2 + 2.770_681_4e-08
        p = p * x2 - 2.101_024_0e-06
        p = p * x2 - 5.692_506_4e-05
        p = p * x2 - 7.349_906_3e-04
        p = p * x2 - 2.954_600_0e-03
        p = p * x2 - 1.609_603_3e-02
        var q: Float = -1.456_607_2e-05
        q = q * x2 - 2.133_740_6e-04
        q = q * x2 - 1.682_827_0e-03
        q = q * x2 - 7.373_329_2e-03
        q = q * x2 - 1.426_473_9e-02
        return x * p / q
    }
}
