/// The post-training lineages Spectra knows without a network: a base model and its
/// descendants in training order (base → SFT → DPO → RLVR), each stage a Hugging Face
/// repository at a revision, with the shape the planner needs offline.
///
/// ```swift
/// let tulu = try BuiltinLineage.named("tulu3-8b")
/// tulu.stages.map(\.label)   // ["base", "SFT", "DPO", "RLVR"]
/// ```
public struct BuiltinLineage: Sendable, Equatable {
    /// One stage of a lineage.
    public struct Stage: Sendable, Equatable {
        /// "base", "SFT", "DPO" or "RLVR".
        public let label: String
        /// The Hugging Face repository ("allenai/OLMo-2-1124-7B-SFT").
        public let repo: String
        public let revision: String
        /// The class name of config.json's `architectures` ("Olmo2ForCausalLM").
        public let architecture: String
        public let layerCount: Int
        public let hiddenSize: Int
        /// A repository that serves files only to accounts that accepted its licence.
        public let gated: Bool

        /// The model name planning registers: the repository's last path component.
        public var modelName: String { repo.split(separator: "/").last.map(String.init) ?? repo }
    }

    /// The name users type ("olmo2-1124-7b").
    public let name: String
    /// The family the stages' models are registered under ("olmo2", "llama").
    public let family: String
    public let stages: [Stage]
    /// Where the stages and shapes come from.
    public let source: String

    /// Every built-in lineage.
    public static let all: [BuiltinLineage] = [
        olmo2(size: "7B", layers: 32, width: 4096),
        olmo2(size: "13B", layers: 40, width: 5120),
        BuiltinLineage(
            name: "tulu3-8b", family: "llama",
            stages: [("base", "meta-llama/Llama-3.1-8B", true), ("SFT", "allenai/Llama-3.1-Tulu-3-8B-SFT", false),
                     ("DPO", "allenai/Llama-3.1-Tulu-3-8B-DPO", false), ("RLVR", "allenai/Llama-3.1-Tulu-3-8B", false)].map {
                Stage(label: $0.0, repo: $0.1, revision: "main", architecture: "LlamaForCausalLM",
                      layerCount: 32, hiddenSize: 4096, gated: $0.2)
            },
            source: "Tulu 3 (Lambert et al. 2024) model cards; Llama-3.1-8B config.json: 32 layers, hidden 4096"),
    ]

    /// OLMo-2-1124-{size}: the final pretrained model and its three Tulu-3-recipe descendants
    /// (-Instruct is the RLVR stage).
    private static func olmo2(size: String, layers: Int, width: Int) -> BuiltinLineage {
        let repo = "allenai/OLMo-2-1124-\(size)"
        return BuiltinLineage(
            name: "olmo2-1124-\(size.lowercased())", family: "olmo2",
            stages: [("base", ""), ("SFT", "-SFT"), ("DPO", "-DPO"), ("RLVR", "-Instruct")].map {
                Stage(label: $0.0, repo: repo + $0.1, revision: "main", architecture: "Olmo2ForCausalLM",
                      layerCount: layers, hiddenSize: width, gated: false)
            },
            source: "OLMo 2 (OLMo et al. 2025) model cards; \(repo) config.json: \(layers) layers, hidden \(width)")
    }

    /// The lineage called `name` (case-insensitive).
    public static func named(_ name: String) throws(CheckpointError) -> BuiltinLineage {
        if let match = all.first(where: { $0.name == name.lowercased() }) { return match }
        throw CheckpointError(.unknownModel,
            "no built-in lineage \"\(name)\" (known: \(all.map(\.name).joined(separator: ", ")); or pass a lineage file ending in .json)")
    }
}
