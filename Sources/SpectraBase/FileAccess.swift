import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be opened, read or written, in words a person can act on:
/// "not found", "is a directory", "permission denied" rather than a Foundation error code.
public struct FileAccessError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case notFound = "not found"
        case isDirectory = "is a directory"
        case permissionDenied = "permission denied"
        /// Any other failure; `reason` has the operating system's words.
        case other
    }

    public let kind: Kind
    public let path: String
    /// "not found", "is a directory", "permission denied", or e.g. "no space left on device".
    public let reason: String

    public init(_ kind: Kind, path: String, reason: String? = nil) {
        self.kind = kind
        self.path = path
        self.reason = reason ?? kind.rawValue
    }

    public var description: String { "\(path): \(reason)" }
}

/// Reading and opening files with errors from `FileAccessError`, and plain words for the
/// errors Foundation throws (shared by every module that touches files).
public enum FileAccess {
    /// Reads all of `path`. A directory, a missing file and an unreadable one each get their
    /// own words; nothing is allocated from the file's claimed size beyond what is read.
    public static func read(_ path: String) throws(FileAccessError) -> Data {
        let (fd, size) = try openForReading(path)
        defer { close(fd) }
        // The size is a hint only (a file can grow or be a pipe); capped so it sizes nothing huge.
        var data = Data(capacity: min(max(size, 0), 1 << 30))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw error(errno: errno, path: path)
            }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
        #else
        Darwin.read(fd, buffer, count)
        #endif
    }

    /// Opens `path` read-only and returns its descriptor (the caller closes it) and size.
    /// Refuses a directory, which `open` would accept and `mmap` then reports as "No such device".
    public static func openForReading(_ path: String) throws(FileAccessError) -> (descriptor: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(errno: errno, path: path) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw error(errno: code, path: path)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FileAccessError(.isDirectory, path: path)
        }
        return (fd, Int(status.st_size))
    }

    /// The error for `errno` after an operation on `path`.
    public static func error(errno code: Int32, path: String) -> FileAccessError {
        switch code {
        case ENOENT: FileAccessError(.notFound, path: path)
        case EISDIR: FileAccessError(.isDirectory, path: path)
        case EACCES, EPERM: FileAccessError(.permissionDenied, path: path)
        default: FileAccessError(.other, path: path, reason: String(cString: strerror(code)).lowercased())
        }
    }

    /// Plain words for an error Foundation threw about a file: the POSIX cause when it
    /// carries one, else the meaning of its Cocoa code, never "NSCocoaErrorDomain error 256".
    public static func reason(_ error: any Error) -> String {
        if let access = error as? FileAccessError { return access.reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return self.error(errno: Int32(underlying.code), path: "").reason
        }
        if ns.domain == NSPOSIXErrorDomain { return self.error(errno: Int32(ns.code), path: "").reason }
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return FileAccessError.Kind.notFound.rawValue
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return FileAccessError.Kind.permissionDenied.rawValue
        case NSFileWriteOutOfSpaceError: return "no space left on device"
        case NSFileWriteVolumeReadOnlyError: return "read-only file system"
        case NSFileWriteFileExistsError: return "already exists"
        case NSFileReadTooLargeError: return "too large to read"
        case NSFileReadCorruptFileError: return "not in the expected format"
        case NSFileReadInapplicableStringEncodingError: return "not valid text in the expected encoding"
        default:
            return ns.code >= NSFileWriteUnknownError && ns.code < NSFileWriteUnknownError + 256
                ? "cannot be written" : "cannot be read"
        }
    }

    /// For an error Foundation threw (CocoaError, POSIXError or a bare NSError of those
    /// domains): "PATH: reason" when it names a path, else the reason. Nil for any other
    /// error, whose own description is already meant for people.
    public static func foundationMessage(_ error: any Error) -> String? {
        let isFoundation = error is CocoaError || error is POSIXError || type(of: error) == NSError.self
        guard isFoundation else { return nil }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return path.map { "\($0): \(reason(error))" } ?? reason(error)
    }
}
