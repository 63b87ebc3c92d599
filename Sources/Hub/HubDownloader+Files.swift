import SpectraBase
import Checkpoints
import Foundation

extension HubDownloader {
    /// What a HEAD on `resolve/REVISION/FILE` says about the file.
    struct FileMetadata {
        let commit: String
        /// The blob name: the LFS sha256 or the git blob id.
        let etag: String
        let size: Int64
        /// Set for LFS files, whose etag is the sha256 of their content.
        let sha256: String?
        /// Where the bytes are (the redirect target for LFS files on the Hub).
        let download: URL

        init(_ head: HTTPTransfer.Outcome, requestURL: URL, label: String) throws {
            guard let commit = head.header("X-Repo-Commit"), HubDownloader.isSafe(commit, allowSlash: false) else {
                throw CheckpointError(.downloadFailed, "\(label): the server sent no usable X-Repo-Commit header")
            }
            let rawTag = head.header("X-Linked-Etag") ?? head.header("ETag") ?? ""
            let etag = rawTag.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard !etag.isEmpty, HubDownloader.isSafe(etag, allowSlash: false) else {
                throw CheckpointError(.downloadFailed, "\(label): the server sent no usable ETag (\"\(rawTag)\")")
            }
            let sizeText = head.header("X-Linked-Size") ?? head.header("Content-Length") ?? ""
            guard let size = Int64(sizeText), size >= 0 else {
                throw CheckpointError(.downloadFailed, "\(label): the server sent no file size (X-Linked-Size or Content-Length)")
            }
            var download = requestURL
            if (300...399).contains(head.status) {
                guard let location = head.header("Location"), let target = URL(string: location, relativeTo: requestURL) else {
                    throw CheckpointError(.downloadFailed, "\(label): redirect \(head.status) without a Location")
                }
                download = target.absoluteURL
            }
            let isSHA256 = etag.count == 64 && etag.allSatisfy(\.isHexDigit)
            self.commit = commit
            self.etag = etag
            self.size = size
            self.sha256 = isSHA256 ? etag.lowercased() : nil
            self.download = download
        }
    }

    /// Points `snapshot/FILE` at `../../blobs/BLOB` (one more `..` per sub-directory of FILE),
    /// replacing any older link in one rename.
    func link(file: String, blob: String, in snapshot: URL) throws {
        let target = snapshot.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let depth = file.split(separator: "/").count + 1
        let relative = String(repeating: "../", count: depth) + "blobs/" + blob
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: target.path)) == relative { return }
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString)")
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: relative)
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(.ioFailure, "cannot link \(target.path): errno \(errno)")
        }
    }

    /// The shard file names of a safetensors or PyTorch shard index.
    static func shards(of index: URL, label: String) throws -> [String] {
        let data: Data
        do { data = try FileAccess.read(index.path) } catch { throw CheckpointError(error, context: "\(label) \(index.lastPathComponent)") }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = root["weight_map"] as? [String: String] else {
            throw CheckpointError(.malformedIndex, "\(label) \(index.lastPathComponent) has no string→string weight_map")
        }
        let shards = Set(map.values).sorted()
        for shard in shards where !isSafe(shard, allowSlash: false) {
            throw CheckpointError(.malformedIndex, "\(label) \(index.lastPathComponent) names shard \"\(shard)\", not a plain file name")
        }
        return shards
    }

    /// Names that stay inside the cache: no empty parts, no "." or "..", no backslashes.
    static func isSafe(_ name: String, allowSlash: Bool) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, allowSlash || parts.count == 1 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\\") }
    }

    static func size(of url: URL) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
    }

    static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return hasher.hexDigest()
    }

    static func atomicWrite(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
