import Checkpoints
import Foundation

/// The scratch directories inputs are written to: one per target under a directory of this
/// process, removed when the process exits normally, each used by one input at a time.
/// The catalog target's directory is a series whose revisions exist, so a catalog can get
/// past the existence checks.
final class Scratch: Sendable {
    static let shared = Scratch()

    let root: URL
    private let locks: [FuzzTarget: NSLock] = Dictionary(uniqueKeysWithValues: FuzzTarget.allCases.map { ($0, NSLock()) })

    private init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("spectra-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        let fm = FileManager.default
        for target in FuzzTarget.allCases {
            try? fm.createDirectory(at: root.appendingPathComponent(target.rawValue), withIntermediateDirectories: true)
        }
        let series = root.appendingPathComponent(FuzzTarget.catalog.rawValue)
        // Revisions step0…step3, and what `"hub_cache": "hub", "repo": "org/fuzz"` resolves to.
        let checkpoints = (0...3).map { series.appendingPathComponent("step\($0)") } + [Self.hubSnapshot(in: series)]
        for checkpoint in checkpoints {
            try? fm.createDirectory(at: checkpoint, withIntermediateDirectories: true)
            // Only their existence is checked when a catalog is loaded.
            for file in ["config.json", "model.safetensors"] {
                try? Data("{}".utf8).write(to: checkpoint.appendingPathComponent(file))
            }
        }
        // The lineage's stages: two checkpoints beside the file and one in its hub cache,
        // with one config.json (stages must agree in shape to be compared).
        let lineage = root.appendingPathComponent(FuzzTarget.lineage.rawValue)
        let stages = ["base", "sft"].map { lineage.appendingPathComponent($0) } + [Self.hubSnapshot(in: lineage)]
        for directory in stages {
            try? fm.createDirectory(at: directory, withIntermediateDirectories: true)
            try? Data(Self.stageConfig.utf8).write(to: directory.appendingPathComponent("config.json"))
        }
        atexit { try? FileManager.default.removeItem(at: Scratch.shared.root) }
    }

    /// Repository org/fuzz in the hub cache `directory`/hub, its `main` ref pointing at a
    /// snapshot; returns that snapshot's directory (not created).
    private static func hubSnapshot(in directory: URL) -> URL {
        let model = HubCache(root: directory.appendingPathComponent("hub")).modelDirectory("org/fuzz")
        try? FileManager.default.createDirectory(at: model.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try? Data("0123abcd".utf8).write(to: model.appendingPathComponent("refs/main"))
        return model.appendingPathComponent("snapshots/0123abcd")
    }

    /// A tiny GPT-NeoX config.json for the lineage's stages.
    static let stageConfig = """
        {"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 64, "num_hidden_layers": 4,
         "num_attention_heads": 4, "intermediate_size": 256, "vocab_size": 512,
         "max_position_embeddings": 256, "rotary_pct": 0.25, "rotary_emb_base": 10000,
         "layer_norm_eps": 1e-5, "use_parallel_residual": true, "hidden_act": "gelu"}
        """

    func lock(for target: FuzzTarget) -> NSLock { locks[target]! }

    func directory(for target: FuzzTarget) -> URL {
        root.appendingPathComponent(target.rawValue, isDirectory: true)
    }
}
