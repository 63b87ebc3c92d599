import Foundation

/// The scratch directories inputs are written to: one per target under a directory of this
/// process, removed when the process exits normally. The catalog target's directory is a
/// series whose revisions exist, so a catalog can get past the existence checks.
final class Scratch: Sendable {
    static let shared = Scratch()

    let root: URL

    private init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("spectra-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        let fm = FileManager.default
        for target in FuzzTarget.allCases {
            try? fm.createDirectory(at: root.appendingPathComponent(target.rawValue), withIntermediateDirectories: true)
        }
        let series = root.appendingPathComponent(FuzzTarget.catalog.rawValue)
        var checkpoints = (0...3).map { series.appendingPathComponent("step\($0)") }
        // The hub-cache layout `"hub_cache": "hub", "repo": "org/fuzz"` resolves to.
        let model = series.appendingPathComponent("hub/models--org--fuzz")
        try? fm.createDirectory(at: model.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try? Data("0123abcd".utf8).write(to: model.appendingPathComponent("refs/main"))
        checkpoints.append(model.appendingPathComponent("snapshots/0123abcd"))
        for checkpoint in checkpoints {
            try? fm.createDirectory(at: checkpoint, withIntermediateDirectories: true)
            // Only their existence is checked when a catalog is loaded.
            for file in ["config.json", "model.safetensors"] {
                try? Data("{}".utf8).write(to: checkpoint.appendingPathComponent(file))
            }
        }
        atexit { try? FileManager.default.removeItem(at: Scratch.shared.root) }
    }

    func directory(for target: FuzzTarget) -> URL {
        root.appendingPathComponent(target.rawValue, isDirectory: true)
    }
}
