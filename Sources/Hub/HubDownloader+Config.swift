import Checkpoints
import Foundation

extension HubDownloader {
    /// Refuses names that would leave the cache or are not ORG/NAME (and a plain revision).
    static func checkRepository(_ repo: String, revision: String? = nil) throws(CheckpointError) {
        guard isSafe(repo, allowSlash: true), repo.split(separator: "/").count == 2,
              revision.map({ isSafe($0, allowSlash: false) }) ?? true else {
            let name = revision.map { "\(repo)@\($0)" } ?? repo
            throw CheckpointError(.downloadFailed, "\(name): not a valid ORG/NAME repository\(revision == nil ? "" : " and revision")")
        }
    }

    /// `config.json` of `repo` at `revision`: from the cache when the revision is there,
    /// else just that small file from the endpoint (the weights are left for `download`
    /// or a worker). Planning reads the layer count and width from it.
    public func config(repo: String, revision: String) throws -> ModelConfig {
        try Self.checkRepository(repo, revision: revision)
        if let cached = try? cache.snapshotDirectory(model: repo, revision: revision),
           FileManager.default.fileExists(atPath: cached.appendingPathComponent("config.json").path) {
            return try ModelConfig.load(directory: cached)
        }
        guard let commit = try fetch(repo: repo, revision: revision, file: "config.json", required: true) else {
            throw CheckpointError(.missingConfig, "\(repo)@\(revision) has no config.json")
        }
        // The snapshot now holds config.json alone; no ref is written for it, so the cache
        // still reports the revision as missing until its weights are downloaded.
        return try ModelConfig.load(directory: snapshot(repo: repo, commit: commit))
    }
}
