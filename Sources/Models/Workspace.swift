/// The activations of one forward call, allocated once per batch and reused by every
/// block; only the current layer's token-level states exist at any time.
final class Workspace {
    /// The residual stream, tokens × hidden.
    let hidden: UnsafeMutablePointer<Float>
    /// A norm's output (attention input, MLP input, or the final norm), tokens × hidden.
    let normed: UnsafeMutablePointer<Float>
    /// The MLP input of a parallel-residual block, computed from the block's input.
    let mlpInput: UnsafeMutablePointer<Float>
    /// A projection's output before its post-norm (OLMo-2), tokens × hidden.
    let scratch: UnsafeMutablePointer<Float>
    /// Fused q, k, v, tokens × layout width.
    let qkv: UnsafeMutablePointer<Float>
    /// Attention output before the output projection, tokens × (heads × head_dim).
    let context: UnsafeMutablePointer<Float>
    /// The MLP's first projection, tokens × (intermediate, or 2 × intermediate when gated).
    let mlpHidden: UnsafeMutablePointer<Float>
    /// silu(gate) · up, tokens × intermediate (gated MLPs only).
    let gated: UnsafeMutablePointer<Float>
    /// Attention probabilities, n × n per head for the longest sequence n, for as many
    /// heads as `Attention.headsPerPass` takes at once.
    let scores: UnsafeMutablePointer<Float>

    /// The most score Floats attention may hold (see `Attention.scoreCapacity`).
    let scoreCapacity: Int

    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(tokens: Int, hidden width: Int, qkvWidth: Int, attentionWidth: Int, mlpWidth: Int, intermediate: Int,
         heads: Int, longest: Int, scoreCapacity: Int) {
        var allocations: [UnsafeMutablePointer<Float>] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
            allocations.append(pointer)
            return pointer
        }
        hidden = allocate(tokens * width)
        normed = allocate(tokens * width)
        mlpInput = allocate(tokens * width)
        scratch = allocate(tokens * width)
        qkv = allocate(tokens * qkvWidth)
        context = allocate(tokens * attentionWidth)
        mlpHidden = allocate(tokens * mlpWidth)
        gated = allocate(tokens * intermediate)
        scores = allocate(Attention.headsPerPass(heads: heads, longest: longest, capacity: scoreCapacity) * longest * longest)
        self.scoreCapacity = scoreCapacity
        self.allocations = allocations
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}
