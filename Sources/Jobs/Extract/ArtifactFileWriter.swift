import Checkpoints
import Foundation
import Queue
import SpectraBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes artifact files with POSIX calls, so that a failure keeps its errno: a full disk,
/// a quota, a file-size limit or an I/O error is the machine's fault and must not cost
/// the job an attempt, while a missing permission or a path that is not a directory is a
/// configuration error like any other.
enum ArtifactFileWriter {
    /// Writes `data` to `url` (creating its directory) through a uniquely named temporary
    /// file beside it, fsync and a rename, which replaces any file already there.
    static func writeAtomically(_ data: Data, to url: URL) throws -> Void {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            // Foundation keeps the errno as the underlying POSIX error.
            let code = Int32(((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? 0)
            if code != 0 { throw failure(code, "create directory", directory.path) }
            throw CheckpointError(.ioFailure, "cannot create directory \(directory.path): \(FileAccess.reason(error))")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(errno, "create", temporary.path) }
        do {
            try writeAll(data, to: fd, path: temporary.path)
            guard fsync(fd) == 0 else { throw failure(errno, "flush", temporary.path) }
            guard close(fd) == 0 else {
                let code = errno
                unlink(temporary.path)
                throw failure(code, "close", temporary.path)
            }
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw failure(code, "move into place as \(url.lastPathComponent)", temporary.path)
        }
    }

    /// Writes every byte of `data` to the open descriptor, retrying short writes.
    static func writeAll(_ data: Data, to fd: Int32, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(errno, "write", path)
                }
                offset += written
            }
        }
    }

    static func failure(_ code: Int32, _ operation: String, _ path: String) -> any Error {
        if ArtifactStoreFault.isInfrastructure(code) {
            return ArtifactStoreFault(path: path, operation: operation, errno: code)
        }
        return CheckpointError(.ioFailure, "cannot \(operation) \(path): \(String(cString: strerror(code)))")
    }
}

/// The artifact store's disk failed (full, over quota or a file-size limit, an I/O
/// error): the worker retries without spending the job's attempts.
public struct ArtifactStoreFault: InfrastructureFailure, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32

    /// ENOSPC, EDQUOT, EFBIG (RLIMIT_FSIZE or the file system's limit), EIO and EROFS (a
    /// file system remounted read-only after errors): conditions of the machine that
    /// retrying later, or on another worker, can cure.
    static func isInfrastructure(_ code: Int32) -> Bool {
        [ENOSPC, EDQUOT, EFBIG, EIO, EROFS].contains(code)
    }

    public var description: String {
        "artifact store: cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
