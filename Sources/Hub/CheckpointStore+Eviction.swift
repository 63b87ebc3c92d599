import Checkpoints
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CheckpointStore {
    /// A cached revision: its model folder, ref name, commit and when it was last used.
    struct Cached {
        var model: URL
        var revision: String
        var commit: String
        var key: String
        var lastUsed: Date
    }

    /// Evicts least-recently-used revisions nobody holds until the blobs plus `bytes` fit
    /// the budget; waits (polling) for holds to end when they do not, up to `spaceWait`.
    func makeRoom(for bytes: Int64, label: String, wait: Bool = true) throws {
        guard let budget else { return }
        guard bytes <= budget else {
            throw CheckpointError(.invalidSetting, "\(label) needs about \(bytes) bytes, more than the whole cache budget of \(budget)")
        }
        let deadline = Date().addingTimeInterval(spaceWait)
        while true {
            let fitted = try FileLock.with(bookkeeping.appendingPathComponent("lock")) { () throws -> Bool in
                let held = heldKeys()
                var usage = blobBytes()
                for victim in cachedRevisions().sorted(by: { $0.lastUsed < $1.lastUsed }) where usage + bytes > budget {
                    guard !held.contains(victim.key) else { continue }
                    try evict(victim)
                    logger.info("evicted", metadata: ["checkpoint": "\(victim.key)", "budget": "\(budget)"])
                    usage = blobBytes()
                }
                return usage + bytes <= budget
            }
            if fitted || !wait { return }
            guard Date() < deadline else {
                throw CheckpointError(.downloadFailed,
                    "\(label): the cache budget of \(budget) bytes stays full of revisions that running jobs hold "
                    + "(waited \(Int(spaceWait)) s); raise --cache-budget or run fewer jobs per node")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// The room to make before fetching a revision of `repo`: its largest revision so far,
    /// else the largest revision of any repository, else nothing.
    func neededBytes(repo: String) -> Int64 {
        let sizes = bookkeeping.appendingPathComponent("sizes", isDirectory: true)
        func read(_ url: URL) -> Int64? { (try? String(contentsOf: url, encoding: .utf8)).flatMap { Int64($0) } }
        if let own = read(sizes.appendingPathComponent(repo.replacingOccurrences(of: "/", with: "--"))) { return own }
        let all = (try? FileManager.default.contentsOfDirectory(at: sizes, includingPropertiesForKeys: nil)) ?? []
        return all.compactMap(read).max() ?? 0
    }

    func recordSize(repo: String, bytes: Int64) {
        let url = bookkeeping.appendingPathComponent("sizes", isDirectory: true)
            .appendingPathComponent(repo.replacingOccurrences(of: "/", with: "--"))
        let known = (try? String(contentsOf: url, encoding: .utf8)).flatMap { Int64($0) } ?? 0
        guard bytes > known else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data("\(bytes)".utf8).write(to: url, options: .atomic)
    }

    /// Bytes of every blob in the cache, partial downloads included.
    func blobBytes() -> Int64 {
        let fm = FileManager.default
        let models = (try? fm.contentsOfDirectory(at: cache.root, includingPropertiesForKeys: nil)) ?? []
        var total: Int64 = 0
        for model in models where model.lastPathComponent.hasPrefix("models--") {
            let blobs = model.appendingPathComponent("blobs", isDirectory: true)
            for blob in (try? fm.contentsOfDirectory(at: blobs, includingPropertiesForKeys: nil)) ?? [] {
                total += HubDownloader.size(of: blob) ?? 0
            }
        }
        return total
    }

    /// Bytes of the distinct blobs a snapshot links to.
    func snapshotBytes(repo: String, snapshot: URL) -> Int64 {
        let blobs = cache.modelDirectory(repo).appendingPathComponent("blobs", isDirectory: true)
        return Self.linkedBlobs(snapshot).reduce(0) { $0 + (HubDownloader.size(of: blobs.appendingPathComponent($1)) ?? 0) }
    }

    /// Keys with a hold whose process is alive; holds of dead processes are removed.
    func heldKeys() -> Set<String> {
        let holds = bookkeeping.appendingPathComponent("holds", isDirectory: true)
        var keys = Set<String>()
        for hold in (try? FileManager.default.contentsOfDirectory(at: holds, includingPropertiesForKeys: nil)) ?? [] {
            let name = hold.lastPathComponent
            guard let at = name.lastIndex(of: "@"), let pid = Int32(name[name.index(after: at)...].prefix { $0.isNumber }) else { continue }
            if kill(pid, 0) == 0 || errno == EPERM {
                keys.insert(String(name[..<at]))
            } else {
                try? FileManager.default.removeItem(at: hold)
            }
        }
        return keys
    }

    /// Every ref in the cache with its snapshot present.
    func cachedRevisions() -> [Cached] {
        let fm = FileManager.default
        let used = bookkeeping.appendingPathComponent("used", isDirectory: true)
        var found: [Cached] = []
        let models = (try? fm.contentsOfDirectory(at: cache.root, includingPropertiesForKeys: nil)) ?? []
        for model in models where model.lastPathComponent.hasPrefix("models--") {
            let refs = model.appendingPathComponent("refs", isDirectory: true)
            for ref in (try? fm.contentsOfDirectory(at: refs, includingPropertiesForKeys: nil)) ?? [] {
                guard let commit = (try? String(contentsOf: ref, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
                      fm.fileExists(atPath: model.appendingPathComponent("snapshots/\(commit)").path) else { continue }
                let key = String(model.lastPathComponent.dropFirst("models--".count)) + "@" + ref.lastPathComponent
                // Never used through the store (fetched beforehand): as old as its ref.
                let stamp = (try? fm.attributesOfItem(atPath: used.appendingPathComponent(key).path)[.modificationDate] as? Date)
                    ?? (try? fm.attributesOfItem(atPath: ref.path)[.modificationDate] as? Date) ?? .distantPast
                found.append(Cached(model: model, revision: ref.lastPathComponent, commit: commit, key: key, lastUsed: stamp))
            }
        }
        return found
    }

    /// Removes a revision: its ref, its snapshot, and the blobs no other snapshot links to.
    func evict(_ victim: Cached) throws {
        let fm = FileManager.default
        let snapshots = victim.model.appendingPathComponent("snapshots", isDirectory: true)
        let snapshot = snapshots.appendingPathComponent(victim.commit, isDirectory: true)
        let candidates = Self.linkedBlobs(snapshot)
        try? fm.removeItem(at: victim.model.appendingPathComponent("refs", isDirectory: true).appendingPathComponent(victim.revision))
        // Another ref may name the same commit; its snapshot then stays.
        let stillNamed = cachedRevisions().contains { $0.model == victim.model && $0.commit == victim.commit }
        guard !stillNamed else { return }
        try fm.removeItem(at: snapshot)
        var kept = Set<String>()
        for other in (try? fm.contentsOfDirectory(at: snapshots, includingPropertiesForKeys: nil)) ?? [] {
            kept.formUnion(Self.linkedBlobs(other))
        }
        let blobs = victim.model.appendingPathComponent("blobs", isDirectory: true)
        for blob in candidates where !kept.contains(blob) {
            try? fm.removeItem(at: blobs.appendingPathComponent(blob))
        }
        try? fm.removeItem(at: bookkeeping.appendingPathComponent("used", isDirectory: true).appendingPathComponent(victim.key))
    }

    /// The blob names a snapshot's symlinks point at (files at any depth).
    static func linkedBlobs(_ snapshot: URL) -> Set<String> {
        let fm = FileManager.default
        var names = Set<String>()
        guard let walker = fm.enumerator(atPath: snapshot.path) else { return names }
        for case let path as String in walker {
            if let target = try? fm.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(path).path),
               target.contains("blobs/") {
                names.insert((target as NSString).lastPathComponent)
            }
        }
        return names
    }
}
