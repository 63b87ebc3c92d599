import Checkpoints
import Foundation
import Logging

/// Checkpoints on demand: a worker asks for a revision, and when the node's hub cache lacks
/// it the worker downloads it itself, under a budget for the whole cache.
///
/// Bookkeeping lives in `ROOT/.spectra/` beside the `models--…` folders:
/// - `lock`: held briefly to register a hold or to evict (so nothing is evicted while it is
///   being taken);
/// - `fetch.lock`: held for a whole download, so a node downloads one revision at a time and
///   a second worker waiting for the same revision finds it present instead of fetching again;
/// - `holds/KEY@PID-UUID`: one file per job using a revision; a revision with a hold whose
///   process is alive is never evicted;
/// - `used/KEY`: touched at every use; eviction takes the least recently used first;
/// - `sizes/REPO`: the largest revision of a repository seen so far, the room made before the
///   next one of it is fetched (a model's revisions are all the same size).
///
/// The cache is meant to be node-local: holds are checked by process id.
public struct CheckpointStore: Sendable {
    public let cache: HubCache
    /// Downloads missing revisions; nil: a missing revision is an error (HF_HUB_OFFLINE=1).
    public let downloader: HubDownloader?
    /// Bytes the cache's blobs may take; nil: unlimited, nothing is evicted.
    public let budget: Int64?
    /// How long a download waits for running jobs to release enough space.
    public var spaceWait: TimeInterval = 3600
    let logger = Logger(label: "spectra.cache")

    public init(cache: HubCache, downloader: HubDownloader?, budget: Int64?) {
        self.cache = cache
        self.downloader = downloader
        self.budget = budget
    }

    /// The store a worker uses: the hub cache of HF_HUB_CACHE/HF_HOME, downloads from
    /// HF_ENDPOINT unless HF_HUB_OFFLINE=1, and `budget` (else SPECTRA_CACHE_BUDGET).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       budget: String? = nil) throws(CheckpointError) -> CheckpointStore {
        let cache = HubCache(root: HubCache.defaultRoot(environment: environment))
        let offline = ["1", "true", "yes"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")
        let downloader = offline ? nil : try HubDownloader.fromEnvironment(environment, cache: cache.root)
        let text = budget ?? environment["SPECTRA_CACHE_BUDGET"].flatMap { $0.isEmpty ? nil : $0 }
        let bytes = try text.map { text throws(CheckpointError) in try parseSize(text, setting: budget == nil ? "SPECTRA_CACHE_BUDGET" : "--cache-budget") }
        return CheckpointStore(cache: cache, downloader: downloader, budget: bytes)
    }

    /// "500G", "1.5T", "800MiB", "2048" (bytes): binary units (K = 1024).
    public static func parseSize(_ text: String, setting: String) throws(CheckpointError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("t", 0x1p40), ("g", 0x1p30), ("m", 0x1p20), ("k", 0x1p10), ("", 1)]
        var lower = trimmed.lowercased()
        for suffix in ["ib", "b"] where lower.hasSuffix(suffix) && lower.count > suffix.count {
            lower.removeLast(suffix.count)
            break
        }
        for (unit, scale) in units where lower.hasSuffix(unit) {
            guard let number = Double(lower.dropLast(unit.count)), number.isFinite, number > 0 else { break }
            let bytes = number * scale
            // Above 8 EiB the product no longer fits an Int64.
            guard bytes >= 1, bytes < 9.2e18 else { break }
            return Int64(bytes)
        }
        throw CheckpointError(.invalidSetting, "\(setting) \"\(text)\" is not a size such as 500G, 1.5T or 800M")
    }

    /// The revision's snapshot, downloaded first if this node lacks it, held until the lease
    /// is released (a held revision is never evicted).
    public func acquire(repo: String, revision: String) throws -> CheckpointLease {
        // Without a budget nothing is evicted, so a present revision needs no hold (and a
        // read-only shared cache keeps working).
        if budget == nil, let snapshot = try? cache.snapshotDirectory(model: repo, revision: revision) {
            return CheckpointLease(snapshot: snapshot, hold: nil)
        }
        if let lease = try holdIfPresent(repo: repo, revision: revision) { return lease }
        guard let downloader else {
            _ = try cache.snapshotDirectory(model: repo, revision: revision)   // throws the not-in-cache error
            throw CheckpointError(.notInCache, "\(repo)@\(revision) is not in the hub cache \(cache.root.path) (HF_HUB_OFFLINE is set)")
        }
        return try FileLock.with(bookkeeping.appendingPathComponent("fetch.lock")) {
            // Another worker may have fetched it while this one waited for the lock.
            if let lease = try holdIfPresent(repo: repo, revision: revision) { return lease }
            let need = neededBytes(repo: repo)
            try makeRoom(for: need, label: "\(repo)@\(revision)")
            logger.info("fetching a missing revision", metadata: ["checkpoint": "\(repo)@\(revision)", "budget": "\(budget.map(String.init) ?? "none")"])
            let snapshot = try downloader.download(repo: repo, revision: revision)
            recordSize(repo: repo, bytes: snapshotBytes(repo: repo, snapshot: snapshot))
            guard let lease = try holdIfPresent(repo: repo, revision: revision) else {
                throw CheckpointError(.notInCache, "\(repo)@\(revision) was downloaded to \(snapshot.path) but is not in the cache")
            }
            // An estimate that was too small (the repository's first revision) is corrected now.
            try makeRoom(for: 0, label: "\(repo)@\(revision)", wait: false)
            return lease
        }
    }

    var bookkeeping: URL { cache.root.appendingPathComponent(".spectra", isDirectory: true) }

    static func key(repo: String, revision: String) -> String {
        repo.replacingOccurrences(of: "/", with: "--") + "@" + revision
    }

    /// Under the bookkeeping lock: a hold on the revision when its snapshot is present.
    private func holdIfPresent(repo: String, revision: String) throws -> CheckpointLease? {
        try FileLock.with(bookkeeping.appendingPathComponent("lock")) {
            guard let snapshot = try? cache.snapshotDirectory(model: repo, revision: revision) else { return nil }
            let key = Self.key(repo: repo, revision: revision)
            let fm = FileManager.default
            let holds = bookkeeping.appendingPathComponent("holds", isDirectory: true)
            let used = bookkeeping.appendingPathComponent("used", isDirectory: true)
            try fm.createDirectory(at: holds, withIntermediateDirectories: true)
            try fm.createDirectory(at: used, withIntermediateDirectories: true)
            let hold = holds.appendingPathComponent("\(key)@\(getpid())-\(UUID().uuidString)")
            guard fm.createFile(atPath: hold.path, contents: Data()),
                  fm.createFile(atPath: used.appendingPathComponent(key).path, contents: Data("\(repo)\n\(revision)\n".utf8)) else {
                throw CheckpointError(.ioFailure, "cannot write the cache bookkeeping under \(bookkeeping.path)")
            }
            return CheckpointLease(snapshot: snapshot, hold: hold)
        }
    }
}

/// A revision in use: its snapshot directory, kept in the cache until `release()`.
public struct CheckpointLease: Sendable {
    public let snapshot: URL
    let hold: URL?

    public func release() {
        if let hold { try? FileManager.default.removeItem(at: hold) }
    }
}
