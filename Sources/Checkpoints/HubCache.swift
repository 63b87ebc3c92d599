import Foundation

/// The local Hugging Face hub cache (`huggingface-cli download` / `snapshot_download`),
/// where each model is `models--ORG--NAME/` with `refs/REVISION` holding a commit id and
/// `snapshots/COMMIT/` holding the files (symlinks into `blobs/`, which reads follow).
///
/// This type only reads: `spectra fetch` (`HubDownloader`), a worker's `CheckpointStore`
/// (on demand) or HF's own tools put revisions here.
public struct HubCache: Sendable, Equatable {
    /// The hub cache directory (the one holding `models--…` folders).
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The cache Hugging Face's own tools use: `HF_HUB_CACHE`, else `HF_HOME/hub`, else
    /// `~/.cache/huggingface/hub`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let hub = environment["HF_HUB_CACHE"] ?? environment["HUGGINGFACE_HUB_CACHE"], !hub.isEmpty {
            return URL(fileURLWithPath: hub, isDirectory: true)
        }
        if let home = environment["HF_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent("hub", isDirectory: true)
        }
        let user = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return user.appendingPathComponent(".cache/huggingface/hub", isDirectory: true)
    }

    /// The cache folder of `model` ("EleutherAI/pythia-160m").
    public func modelDirectory(_ model: String) -> URL {
        root.appendingPathComponent("models--" + model.replacingOccurrences(of: "/", with: "--"), isDirectory: true)
    }

    /// The snapshot directory of `model` at `revision`: a branch or tag name with a ref
    /// in the cache ("main", "step3000", "stage1-step1000-tokens4B"), or a commit id.
    public func snapshotDirectory(model: String, revision: String = "main") throws(CheckpointError) -> URL {
        let modelDirectory = modelDirectory(model)
        let fm = FileManager.default
        guard fm.fileExists(atPath: modelDirectory.path) else {
            throw CheckpointError(.notInCache,
                "model \(model) is not in the hub cache \(root.path) (expected \(modelDirectory.lastPathComponent)); "
                + "download it first, e.g. huggingface-cli download \(model) --revision \(revision)")
        }
        // Revisions come from users and job rows; refuse ones that would leave the cache.
        guard !revision.isEmpty, !revision.split(separator: "/").contains(".."), !revision.hasPrefix("/") else {
            throw CheckpointError(.notInCache, "model \(model): revision \"\(revision)\" is not a valid revision name")
        }
        let snapshots = modelDirectory.appendingPathComponent("snapshots", isDirectory: true)
        var commit = revision
        let ref = modelDirectory.appendingPathComponent("refs").appendingPathComponent(revision)
        if let text = try? String(contentsOf: ref, encoding: .utf8) {
            commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let snapshot = snapshots.appendingPathComponent(commit, isDirectory: true)
        guard !commit.contains("/"), fm.fileExists(atPath: snapshot.path) else {
            let cached = cachedRevisions(model: model)
            throw CheckpointError(.notInCache,
                "model \(model): revision \(revision) is not in the hub cache \(root.path) "
                + "(cached: \(cached.isEmpty ? "none" : cached.joined(separator: ", ")))")
        }
        return snapshot
    }

    /// Opens `model` at `revision` from the cache.
    public func checkpoint(model: String, revision: String = "main") throws(CheckpointError) -> CheckpointDirectory {
        try CheckpointDirectory(url: snapshotDirectory(model: model, revision: revision))
    }

    /// The branch and tag names the cache holds refs for, sorted.
    public func cachedRevisions(model: String) -> [String] {
        let refs = modelDirectory(model).appendingPathComponent("refs", isDirectory: true)
        guard let walker = FileManager.default.enumerator(at: refs, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var names: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            let path = url.standardizedFileURL.path
            let prefix = refs.standardizedFileURL.path + "/"
            if path.hasPrefix(prefix) { names.append(String(path.dropFirst(prefix.count))) }
        }
        return names.sorted()
    }
}
