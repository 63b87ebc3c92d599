import SpectraBase
import Checkpoints
import Foundation
import Logging

/// Downloads checkpoint revisions from a Hugging Face–compatible endpoint into the hub
/// cache layout that `HubCache` reads and Hugging Face's own tools share: each file becomes
/// `blobs/ETAG` (written as `blobs/ETAG.incomplete` and renamed once verified),
/// `snapshots/COMMIT/FILE` a relative symlink to it, and `refs/REVISION` the commit.
///
/// A cut transfer keeps its `.incomplete` bytes, and the next attempt (in this call or a
/// later one) asks only for the rest with an HTTP Range request. A file is accepted only
/// when its size equals the server's `X-Linked-Size`/`Content-Length` and, for LFS files
/// (whose etag is the sha256 of the content), its sha256 equals the etag.
public struct HubDownloader: Sendable {
    public let endpoint: URL
    /// Sent as `Authorization: Bearer …` (gated and private repositories).
    public let token: String?
    public let cache: HubCache
    /// Transfer attempts per file before giving up (each resumes where the last stopped).
    public var attempts: Int
    public var timeout: TimeInterval = 60
    private let logger = Logger(label: "spectra.fetch")

    public init(endpoint: URL, token: String?, cache: HubCache, attempts: Int = 5) {
        self.endpoint = endpoint
        self.token = token
        self.cache = cache
        self.attempts = attempts
    }

    /// `HF_ENDPOINT` (default https://huggingface.co), `HF_TOKEN`, and the cache of
    /// `HF_HUB_CACHE` / `HF_HOME` unless `cache` is given.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       cache: URL? = nil) throws(CheckpointError) -> HubDownloader {
        let text = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        guard let endpoint = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
              endpoint.scheme == "http" || endpoint.scheme == "https" else {
            throw CheckpointError(.invalidSetting, "HF_ENDPOINT \"\(text)\" is not an http(s) URL")
        }
        let token = environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let root = cache ?? HubCache.defaultRoot(environment: environment)
        return HubDownloader(endpoint: endpoint, token: token, cache: HubCache(root: root))
    }

    /// Fetches config.json, tokenizer.json (when the revision has one) and the weights of
    /// `repo` at `revision`: the first of model.safetensors, its index and every shard,
    /// pytorch_model.bin, or its index and every shard; files already in the cache are not
    /// transferred again. Returns the snapshot directory.
    public func download(repo: String, revision: String) throws -> URL {
        try Self.checkRepository(repo, revision: revision)
        var commit = try fetch(repo: repo, revision: revision, file: "config.json", required: true)!
        _ = try fetch(repo: repo, revision: revision, file: "tokenizer.json", required: false)
        commit = try fetchWeights(repo: repo, revision: revision) ?? commit
        try Self.atomicWrite(Data(commit.utf8), to: cache.modelDirectory(repo)
            .appendingPathComponent("refs", isDirectory: true).appendingPathComponent(revision))
        return snapshot(repo: repo, commit: commit)
    }

    /// The weights in `WeightFormat` order (safetensors first); the commit they came from.
    private func fetchWeights(repo: String, revision: String) throws -> String? {
        for format in WeightFormat.allCases {
            if let found = try fetch(repo: repo, revision: revision, file: format.singleFileName, required: false) {
                return found
            }
            if let found = try fetch(repo: repo, revision: revision, file: format.indexFileName, required: false) {
                let index = snapshot(repo: repo, commit: found).appendingPathComponent(format.indexFileName)
                for shard in try Self.shards(of: index, label: "\(repo)@\(revision)") {
                    _ = try fetch(repo: repo, revision: revision, file: shard, required: true)
                }
                return found
            }
        }
        let names = WeightFormat.allCases.flatMap { [$0.singleFileName, $0.indexFileName] }
        throw CheckpointError(.downloadFailed, "\(repo)@\(revision) has none of \(names.joined(separator: ", "))")
    }

    func snapshot(repo: String, commit: String) -> URL {
        cache.modelDirectory(repo).appendingPathComponent("snapshots", isDirectory: true)
            .appendingPathComponent(commit, isDirectory: true)
    }

    /// One file: its commit, or nil when the revision lacks it and it is optional.
    func fetch(repo: String, revision: String, file: String, required: Bool) throws -> String? {
        let label = "\(repo)@\(revision) \(file)"
        let encodedRevision = revision.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? revision
        let url = endpoint.appendingPathComponent(repo).appendingPathComponent("resolve")
            .appendingPathComponent(encodedRevision, isDirectory: true).appendingPathComponent(file)
        let head = HTTPTransfer.head(url, headers: requestHeaders, timeout: timeout)
        if let failure = head.failure {
            throw CheckpointError(.downloadFailed, "\(label): HEAD \(url.absoluteString) failed: \(failure)")
        }
        switch head.status {
        case 200, 301, 302, 303, 307, 308: break
        case 404 where !required: return nil
        case 401, 403:
            throw CheckpointError(.downloadFailed, "\(label): \(url.absoluteString) answered \(head.status) "
                + (token == nil ? "(gated or private: set HF_TOKEN)" : "(HF_TOKEN was refused)"))
        default:
            throw CheckpointError(.downloadFailed, "\(label): \(url.absoluteString) answered HTTP \(head.status)")
        }
        let metadata = try FileMetadata(head, requestURL: url, label: label)
        let blobs = cache.modelDirectory(repo).appendingPathComponent("blobs", isDirectory: true)
        let blob = blobs.appendingPathComponent(metadata.etag)
        if Self.size(of: blob) != metadata.size {
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
            try transfer(metadata, to: blob, label: label)
        } else {
            logger.debug("cached", metadata: ["file": "\(label)"])
        }
        try link(file: file, blob: metadata.etag, in: snapshot(repo: repo, commit: metadata.commit))
        return metadata.commit
    }

    var requestHeaders: [String: String] {
        var headers = ["Accept-Encoding": "identity", "User-Agent": "spectra/\(SpectraVersion.current)"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return headers
    }

    /// Streams into `blob.incomplete`, resuming across attempts, then verifies and renames.
    private func transfer(_ metadata: FileMetadata, to blob: URL, label: String) throws {
        let partial = URL(fileURLWithPath: blob.path + ".incomplete")
        var lastFailure = ""
        for attempt in 1...max(1, attempts) {
            var have = Int64(Self.size(of: partial) ?? 0)
            if have > metadata.size {  // longer than the file can be: start over
                try? FileManager.default.removeItem(at: partial)
                have = 0
            }
            if have < metadata.size {
                let outcome = HTTPTransfer.get(metadata.download, into: partial, resumeFrom: have,
                                               headers: requestHeaders, timeout: timeout)
                if outcome.status == 416 { try? FileManager.default.removeItem(at: partial) }
                if let failure = outcome.failure ?? ((200...299).contains(outcome.status) ? nil
                        : "HTTP \(outcome.status) \(outcome.errorBody.prefix(200))") {
                    lastFailure = failure
                    logger.warning("transfer cut; will resume", metadata: [
                        "file": "\(label)", "attempt": "\(attempt)", "bytes": "\(Self.size(of: partial) ?? 0)",
                        "error": "\(failure)"])
                    continue
                }
            }
            try verify(partial, metadata, label: label)
            guard rename(partial.path, blob.path) == 0 else {
                throw CheckpointError(.ioFailure, "\(label): cannot move \(partial.path) to \(blob.path): errno \(errno)")
            }
            return
        }
        throw CheckpointError(.downloadFailed,
            "\(label): transfer failed after \(max(1, attempts)) attempts (\(Self.size(of: partial) ?? 0) of "
            + "\(metadata.size) bytes kept in \(partial.lastPathComponent); run again to resume): \(lastFailure)")
    }

    private func verify(_ partial: URL, _ metadata: FileMetadata, label: String) throws {
        let size = Int64(Self.size(of: partial) ?? -1)
        guard size == metadata.size else {
            try? FileManager.default.removeItem(at: partial)
            throw CheckpointError(.checksumMismatch, "\(label): received \(size) bytes, the server promised \(metadata.size)")
        }
        guard let expected = metadata.sha256 else { return }
        let actual = try Self.sha256(of: partial)
        guard actual == expected else {
            // Resuming cannot repair bytes that are already wrong, so they are dropped.
            try? FileManager.default.removeItem(at: partial)
            throw CheckpointError(.checksumMismatch,
                "\(label): sha256 \(actual) does not match the server's \(expected); the download was discarded")
        }
    }
}
