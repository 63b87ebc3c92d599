import Foundation
import SpectraBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only and private, unmapped when the last reference goes.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never changes after `init`, so
/// concurrent readers see the same bytes; a writer truncating the file underneath would
/// raise SIGBUS, and checkpoints are immutable once written.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let size: Int

    /// Maps `url`, refusing files shorter than `minimumSize` bytes (`what` says why).
    init(_ url: URL, context: String, minimumSize: Int, what: String) throws(CheckpointError) {
        // FileAccess refuses a directory here, which mmap would report as "No such device".
        let fd: Int32, size: Int
        do { (fd, size) = try FileAccess.openForReading(url.path) } catch { throw CheckpointError(error, context: context) }
        defer { close(fd) }
        guard size >= max(minimumSize, 1) else {
            throw CheckpointError(.truncatedFile, "\(context): file is \(size) bytes, too short for \(what)")
        }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw CheckpointError(.ioFailure, "\(context): cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(pointer)
        self.size = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Drops the mapped pages wholly inside `range` once they have been copied out, so a
    /// model loaded tensor by tensor peaks at its Float32 weights, not at those plus the
    /// file's pages. Dropped pages of a private read-only mapping are read again from the
    /// file if touched later, so this never changes what is read.
    func evict(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (range.lowerBound + page - 1) / page * page, last = range.upperBound / page * page
        guard last > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), last - first, Int32(MADV_DONTNEED))
    }
}
