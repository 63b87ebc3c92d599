extension BuiltinCatalog {
    /// Pythia (Biderman et al. 2023, Table 1; the EleutherAI/pythia-* configs): 154
    /// revisions each, step0, the powers of two 1 … 512, then every 1000 steps to 143000,
    /// at 1024 sequences × 2048 tokens = 2,097,152 tokens per step. The -deduped twins
    /// (trained on the deduplicated Pile) share shapes and schedule.
    static let pythia: [BuiltinCatalog] = {
        let sizes: [(String, Int, Int)] = [
            ("70m", 6, 512), ("160m", 12, 768), ("410m", 24, 1024), ("1b", 16, 2048),
            ("1.4b", 24, 2048), ("2.8b", 32, 2560), ("6.9b", 32, 4096), ("12b", 36, 5120),
        ]
        let steps = [0] + (0...9).map { 1 << $0 } + Array(stride(from: 1000, through: 143_000, by: 1000))
        return sizes.flatMap { size, layers, width in
            ["", "-deduped"].map { variant in
                let repo = "EleutherAI/pythia-\(size)\(variant)"
                return BuiltinCatalog(
                    name: "pythia-\(size)\(variant)", family: "pythia", repo: repo, architecture: .gptNeoX,
                    layerCount: layers, hiddenSize: width, tokensPerStep: 2_097_152,
                    revisions: steps.map { RevisionInfo(name: "step\($0)", step: $0, tokens: $0 * 2_097_152, repo: repo) },
                    source: "Pythia paper Table 1 and huggingface.co/\(repo) branches")
            }
        }
    }()

    /// OLMo (Groeneveld et al. 2024): branches `stepN-tokensMB`, M = N × tokens per step
    /// in billions, rounded to nearest. OLMo-1B: 2048 × 2048 = 4,194,304 tokens per step
    /// (step20000-tokens84B). OLMo-7B: 2160 × 2048 = 4,423,680 (the model card's
    /// step452000-tokens2000B and step556000-tokens2460B fit only this batch). Steps: the
    /// published checkpoints of allenai/OLMo's checkpoints/official CSVs, which skip the
    /// few that were lost.
    static let olmo: [BuiltinCatalog] = [
        olmoCatalog(name: "olmo-1b", repo: "allenai/OLMo-1B-hf", family: "olmo", architecture: .olmo,
                    layers: 16, width: 2048, tokensPerStep: 4_194_304, grid: StepGrids.olmo1B,
                    branch: { "step\($0)-tokens\($1)B" }, roundUp: false,
                    source: "allenai/OLMo checkpoints/official/OLMo-1B.csv; OLMo-1B model card"),
        olmoCatalog(name: "olmo-7b", repo: "allenai/OLMo-7B-hf", family: "olmo", architecture: .olmo,
                    layers: 32, width: 4096, tokensPerStep: 4_423_680, grid: StepGrids.olmo7B,
                    branch: { "step\($0)-tokens\($1)B" }, roundUp: false,
                    source: "allenai/OLMo checkpoints/official/OLMo-7B.csv; OLMo-7B model card"),
    ]

    /// OLMo-2 (OLMo et al. 2025): stage-1 branches `stage1-stepN-tokensMB`, M = N × tokens
    /// per step in billions rounded up (stage1-step1000-tokens5B for 7B). Batches of 4096
    /// tokens: 512 sequences (1B), 1024 (7B), 2048 (13B). Steps: allenai/OLMo's
    /// configs/official-0425 and -1124 CSVs; the 7B's final stage-1 branch step928646 is
    /// on the Hub but not in its CSV.
    static let olmo2: [BuiltinCatalog] = [
        olmoCatalog(name: "olmo2-1b", repo: "allenai/OLMo-2-0425-1B", family: "olmo2", architecture: .olmo2,
                    layers: 16, width: 2048, tokensPerStep: 2_097_152, grid: StepGrids.olmo2_1B,
                    branch: { "stage1-step\($0)-tokens\($1)B" }, roundUp: true,
                    source: "allenai/OLMo configs/official-0425/OLMo-2-0425-1B.csv"),
        olmoCatalog(name: "olmo2-7b", repo: "allenai/OLMo-2-1124-7B", family: "olmo2", architecture: .olmo2,
                    layers: 32, width: 4096, tokensPerStep: 4_194_304,
                    grid: StepGrids.olmo2_7B + [StepRun(928_646, 928_646, 1)],
                    branch: { "stage1-step\($0)-tokens\($1)B" }, roundUp: true,
                    source: "allenai/OLMo configs/official-1124/OLMo-2-1124-7B.csv"),
        olmoCatalog(name: "olmo2-13b", repo: "allenai/OLMo-2-1124-13B", family: "olmo2", architecture: .olmo2,
                    layers: 40, width: 5120, tokensPerStep: 8_388_608, grid: StepGrids.olmo2_13B,
                    branch: { "stage1-step\($0)-tokens\($1)B" }, roundUp: true,
                    source: "allenai/OLMo configs/official-1124/OLMo-2-1124-13B.csv"),
    ]

    private static func olmoCatalog(name: String, repo: String, family: String, architecture: Architecture,
                                    layers: Int, width: Int, tokensPerStep: Int, grid: [StepRun],
                                    branch: (Int, Int) -> String, roundUp: Bool,
                                    source: String) -> BuiltinCatalog {
        let billion = 1_000_000_000
        let steps = Array(Set(grid.flatMap(\.steps))).sorted()
        let revisions = steps.map { step in
            let tokens = step * tokensPerStep
            let label = roundUp ? (tokens + billion - 1) / billion : (tokens + billion / 2) / billion
            return RevisionInfo(name: branch(step, label), step: step, tokens: tokens, repo: repo)
        }
        return BuiltinCatalog(name: name, family: family, repo: repo, architecture: architecture,
                              layerCount: layers, hiddenSize: width, tokensPerStep: tokensPerStep,
                              revisions: revisions, source: source)
    }
}
