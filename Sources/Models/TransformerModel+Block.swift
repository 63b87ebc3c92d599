import LinearAlgebra
/// One transformer block over the packed batch, updating `workspace.hidden` in place.
extension TransformerModel {
    /// `window`: the layer's sliding attention window (Mistral, Qwen2), nil for full attention.
    func runBlock(_ block: BlockWeights, window: Int?, _ packed: PackedBatch, _ rotary: RotaryTable, _ w: Workspace) {
        let d = config.hiddenSize, n = packed.tokenCount, width = layout.width
        // Pythia's parallel residual: attention and MLP both read the block's input,
        // h + attn(ln1(h)) + mlp(ln2(h)), so the MLP's input is taken before h changes.
        let parallel = config.architecture == .gptNeoX && config.useParallelResidual

        var attentionInput = UnsafePointer(w.hidden)
        if let norm = block.inputNorm {
            norm.apply(w.hidden, ldx: d, rows: n, width: d, into: w.normed, ldy: d)
            attentionInput = UnsafePointer(w.normed)
        }
        if parallel, let norm = block.preMLPNorm {
            norm.apply(w.hidden, ldx: d, rows: n, width: d, into: w.mlpInput, ldy: d)
        }

        block.qkv.apply(attentionInput, ldx: d, rows: n, into: w.qkv, ldy: width, accumulate: false)
        if config.architecture == .olmo, let clip = config.clipQKV {
            let bound = Float(clip)
            Parallel.rows(n * width, work: n * width) { range in
                for i in range { w.qkv[i] = min(max(w.qkv[i], -bound), bound) }
            }
        }
        // OLMo-2 normalizes q and k over all heads at once, before the split into heads.
        block.queryNorm?.apply(w.qkv, ldx: width, rows: n, width: layout.heads * layout.headDimension,
                               into: w.qkv, ldy: width)
        let keys = layout.key(0)
        block.keyNorm?.apply(w.qkv + keys, ldx: width, rows: n, width: layout.keyValueHeads * layout.headDimension,
                             into: w.qkv + keys, ldy: width)
        let rotated = (0..<layout.heads).map(layout.query) + (0..<layout.keyValueHeads).map(layout.key)
        rotary.apply(w.qkv, ld: width, positions: packed.positions, headOffsets: rotated)
        Attention.run(qkv: w.qkv, layout: layout, sequences: packed.sequences,
                      scores: w.scores, context: w.context, ldc: config.attentionWidth, window: window,
                      capacity: w.scoreCapacity)
        addIntoResidual(block.output, input: w.context, postNorm: block.postAttentionNorm, rows: n, w)

        var mlpInput = UnsafePointer(w.hidden)
        if parallel {
            mlpInput = UnsafePointer(w.mlpInput)
        } else if let norm = block.preMLPNorm {
            norm.apply(w.hidden, ldx: d, rows: n, width: d, into: w.normed, ldy: d)
            mlpInput = UnsafePointer(w.normed)
        }
        let inner = config.intermediateSize
        block.mlpIn.apply(mlpInput, ldx: d, rows: n, into: w.mlpHidden, ldy: block.mlpIn.outFeatures, accumulate: false)
        var activated = UnsafePointer(w.mlpHidden)
        switch activation {
        case .gelu, .geluTanh:
            Activation.gelu(w.mlpHidden, count: n * inner, tanhForm: activation == .geluTanh)
        case .silu:
            Activation.gatedSiLU(w.mlpHidden, rows: n, width: inner, into: w.gated)
            activated = UnsafePointer(w.gated)
        }
        addIntoResidual(block.mlpOut, input: activated, postNorm: block.postMLPNorm, rows: n, w)
    }

    /// h += layer(input), or h += norm(layer(input)) for OLMo-2's post-norms.
    private func addIntoResidual(_ layer: Linear, input: UnsafePointer<Float>, postNorm: Norm?, rows n: Int,
                                 _ w: Workspace) {
        let d = config.hiddenSize
        guard let postNorm else {
            layer.apply(input, ldx: layer.inFeatures, rows: n, into: w.hidden, ldy: d, accumulate: true)
            return
        }
        layer.apply(input, ldx: layer.inFeatures, rows: n, into: w.scratch, ldy: d, accumulate: false)
        postNorm.apply(w.scratch, ldx: d, rows: n, width: d, into: w.scratch, ldy: d)
        let hidden = w.hidden, scratch = w.scratch
        Parallel.rows(n * d, work: n * d) { range in
            for i in range { hidden[i] += scratch[i] }
        }
    }
}
