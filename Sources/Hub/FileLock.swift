import Checkpoints
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, held for the duration of `body`. Every process and
/// thread that opens the file takes its own lock (flock belongs to the open file
/// description), so workers of one node exclude each other on a local disk.
enum FileLock {
    static func with<R>(_ url: URL, _ body: () throws -> R) throws -> R {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CheckpointError(.ioFailure, "cannot open the lock file \(url.path): errno \(errno)")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw CheckpointError(.ioFailure, "cannot lock \(url.path): errno \(errno)")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
