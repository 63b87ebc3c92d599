/// The Hugging Face model classes Spectra reads, named as in config.json's `architectures`.
public enum Architecture: String, Sendable, CaseIterable, Codable {
    case gptNeoX = "GPTNeoXForCausalLM"
    case olmo = "OlmoForCausalLM"
    case olmo2 = "Olmo2ForCausalLM"
    /// Llama 2, 3, 3.1 and 3.2, and the models built on the class (SmolLM2, Amber).
    case llama = "LlamaForCausalLM"
    case qwen2 = "Qwen2ForCausalLM"
    case mistral = "MistralForCausalLM"

    /// One 2-D weight matrix of a transformer block: its tensor name and a short label
    /// for result rows that is the same across families where the role is the same.
    public struct WeightMatrix: Sendable, Hashable {
        public let name: String
        public let label: String

        public init(name: String, label: String) {
            self.name = name
            self.label = label
        }
    }

    /// The tensor names of block `layer`'s 2-D weight matrices, attention before MLP.
    public func weightMatrixNames(layer: Int) -> [String] {
        weightMatrices(layer: layer).map(\.name)
    }

    /// Block `layer`'s 2-D weight matrices with their labels, attention before MLP.
    ///
    /// Labels: `attn.qkv` (fused), `attn.q`, `attn.k`, `attn.v`, `attn.out`, `mlp.gate`,
    /// `mlp.in`, `mlp.out`; the `model.layers` families' `up_proj` is `mlp.in` and
    /// `down_proj` is `mlp.out`, so GPT-NeoX, OLMo, Llama, Qwen2 and Mistral rows line up by role.
    public func weightMatrices(layer: Int) -> [WeightMatrix] {
        switch self {
        case .gptNeoX:
            let p = "gpt_neox.layers.\(layer)"
            return [
                WeightMatrix(name: "\(p).attention.query_key_value.weight", label: "attn.qkv"),
                WeightMatrix(name: "\(p).attention.dense.weight", label: "attn.out"),
                WeightMatrix(name: "\(p).mlp.dense_h_to_4h.weight", label: "mlp.in"),
                WeightMatrix(name: "\(p).mlp.dense_4h_to_h.weight", label: "mlp.out"),
            ]
        case .olmo, .olmo2, .llama, .qwen2, .mistral:
            let p = "model.layers.\(layer)"
            return [
                WeightMatrix(name: "\(p).self_attn.q_proj.weight", label: "attn.q"),
                WeightMatrix(name: "\(p).self_attn.k_proj.weight", label: "attn.k"),
                WeightMatrix(name: "\(p).self_attn.v_proj.weight", label: "attn.v"),
                WeightMatrix(name: "\(p).self_attn.o_proj.weight", label: "attn.out"),
                WeightMatrix(name: "\(p).mlp.gate_proj.weight", label: "mlp.gate"),
                WeightMatrix(name: "\(p).mlp.up_proj.weight", label: "mlp.in"),
                WeightMatrix(name: "\(p).mlp.down_proj.weight", label: "mlp.out"),
            ]
        }
    }

    /// The label for a block weight's tensor name, or nil when it is not one.
    public func label(forWeight name: String, layer: Int) -> String? {
        weightMatrices(layer: layer).first { $0.name == name }?.label
    }

    /// The input token embedding matrix (vocab × hidden).
    public var inputEmbeddingName: String {
        switch self {
        case .gptNeoX: "gpt_neox.embed_in.weight"
        case .olmo, .olmo2, .llama, .qwen2, .mistral: "model.embed_tokens.weight"
        }
    }

    /// The output projection (vocab × hidden); absent from files whose config ties it to
    /// the input embedding.
    public var outputEmbeddingName: String {
        switch self {
        case .gptNeoX: "embed_out.weight"
        case .olmo, .olmo2, .llama, .qwen2, .mistral: "lm_head.weight"
        }
    }

    /// The blocks are Llama's: RMSNorm before attention and before the MLP, separate
    /// q/k/v projections, SwiGLU, RoPE over whole heads.
    public var isLlamaLike: Bool {
        switch self {
        case .llama, .qwen2, .mistral: true
        case .gptNeoX, .olmo, .olmo2: false
        }
    }

    /// The `model_type` Hugging Face writes beside this class in config.json.
    public var modelType: String {
        switch self {
        case .gptNeoX: "gpt_neox"
        case .olmo: "olmo"
        case .olmo2: "olmo2"
        case .llama: "llama"
        case .qwen2: "qwen2"
        case .mistral: "mistral"
        }
    }
}
