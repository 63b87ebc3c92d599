/// Where each head's q, k and v sit in a row of the fused projection's output.
struct QKVLayout: Sendable {
    let headDimension: Int
    let heads: Int
    let keyValueHeads: Int
    /// GPT-NeoX's query_key_value is laid out per head as [q k v] blocks of head_dim;
    /// stacked q_proj, k_proj, v_proj give all q, then all k, then all v.
    let perHeadInterleaved: Bool

    /// Columns per row.
    var width: Int { (heads + 2 * keyValueHeads) * headDimension }

    func query(_ head: Int) -> Int {
        perHeadInterleaved ? head * 3 * headDimension : head * headDimension
    }

    func key(_ group: Int) -> Int {
        perHeadInterleaved ? (3 * group + 1) * headDimension : (heads + group) * headDimension
    }

    func value(_ group: Int) -> Int {
        perHeadInterleaved ? (3 * group + 2) * headDimension : (heads + keyValueHeads + group) * headDimension
    }
}

/// One transformer block's parameters, arranged for the forward pass: the norms each
/// family has (nil where it has none), one fused q/k/v projection and one fused MLP input.
struct BlockWeights: Sendable {
    /// Before attention (GPT-NeoX and Llama-like input_layernorm, OLMo's non-parametric norm).
    var inputNorm: Norm?
    /// Before the MLP (GPT-NeoX, OLMo and Llama-like post_attention_layernorm; OLMo-2 has none).
    var preMLPNorm: Norm?
    var qkv: Linear
    /// OLMo-2's RMSNorm over all heads' q (and k) projections, before the split into heads.
    var queryNorm: Norm?
    var keyNorm: Norm?
    var output: Linear
    /// OLMo-2's norms of the attention and MLP outputs, inside the residual.
    var postAttentionNorm: Norm?
    var postMLPNorm: Norm?
    /// GPT-NeoX dense_h_to_4h; the others' gate_proj and up_proj stacked (gate first).
    var mlpIn: Linear
    var mlpOut: Linear
}
