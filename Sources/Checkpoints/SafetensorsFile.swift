import Foundation
import SpectraBase
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file mapped read-only, its whole header validated when it is opened.
///
/// Safe to share across threads (`@unchecked Sendable`): the mapping is `PROT_READ`,
/// every stored property is immutable after `init`, and the mapping lives until
/// `deinit`, which runs only once no reference (and so no reader) remains.
public final class SafetensorsFile: @unchecked Sendable {
    /// The file this object maps.
    public let url: URL
    /// Every tensor in the header, by name.
    public let tensors: [String: TensorInfo]
    /// The header's `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// How messages name this file, e.g. "checkpoint step3000/model.safetensors".
    public let context: String

    private let base: UnsafeRawPointer
    private let fileSize: Int
    private let dataStart: Int

    /// Opens and validates `url`; messages name the file by its path.
    public convenience init(url: URL) throws(CheckpointError) {
        try self.init(url: url, context: "safetensors file \(url.path)")
    }

    /// Opens and validates `url`; messages begin with `context`.
    public init(url: URL, context: String) throws(CheckpointError) {
        self.url = url
        self.context = context
        let (base, size) = try Self.map(url, context: context)
        do {
            let header = try SafetensorsHeader(base: base, fileSize: size, context: context)
            self.base = base
            self.fileSize = size
            self.dataStart = header.dataStart
            self.tensors = header.tensors
            self.metadata = header.metadata
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
    }

    /// Tensor names in sorted order.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// The header entry for `name`.
    public func info(_ name: String) throws(CheckpointError) -> TensorInfo {
        guard let info = tensors[name] else {
            throw CheckpointError(.tensorNotFound,
                "\(context): no tensor named \(name) (the file holds \(tensors.count) tensors)")
        }
        return info
    }

    /// A 2-D floating-point tensor as a row-major Float32 matrix.
    public func matrix(_ name: String) throws(CheckpointError) -> Matrix<Float> {
        let info = try info(name)
        guard info.shape.count == 2 else {
            throw CheckpointError(.notAMatrix,
                "\(context): tensor \(name) has shape [\(info.shape.map(String.init).joined(separator: ", "))] "
                + "(\(info.shape.count)-D), not a 2-D matrix")
        }
        let values = try floats(info)
        do {
            return try Matrix(rows: info.shape[0], columns: info.shape[1], storage: values)
        } catch {
            // Unreachable after header validation; kept so a mismatch is reported, not trapped.
            throw CheckpointError(.sizeMismatch, "\(context): tensor \(name): \(error.message)")
        }
    }

    /// A floating-point tensor of any rank, flattened row-major, as Float32.
    public func tensor(_ name: String) throws(CheckpointError) -> (shape: [Int], values: [Float]) {
        let info = try info(name)
        return (info.shape, try floats(info))
    }

    /// Calls `body` with the tensor's raw little-endian bytes inside the mapping, for
    /// callers that hash or convert without a Float32 copy. The pointer must not escape.
    public func withRawBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        return try body(UnsafeRawBufferPointer(start: base + dataStart + info.byteRange.lowerBound,
                                               count: info.byteRange.count))
    }

    private func floats(_ info: TensorInfo) throws(CheckpointError) -> [Float] {
        guard info.dtype.isReadableAsFloat else {
            throw CheckpointError(.unsupportedDType,
                "\(context): tensor \(info.name) is \(info.dtype.rawValue); only F64, F32, F16 and BF16 "
                + "tensors can be read as Float32")
        }
        let source = base + dataStart + info.byteRange.lowerBound
        let values = FloatConversion.decode(source, count: info.elementCount, dtype: info.dtype)
        evictPages(of: info)
        return values
    }

    /// Drops the mapped pages wholly inside a tensor once it has been copied out, so a
    /// model loaded tensor by tensor peaks at its Float32 weights, not at those plus the
    /// file's pages. The mapping is private and read-only: dropped pages are read again
    /// from the file if anyone touches them later, so this never changes what is read.
    private func evictPages(of info: TensorInfo) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dataStart + info.byteRange.lowerBound, end = dataStart + info.byteRange.upperBound
        let first = (start + page - 1) / page * page, last = end / page * page
        guard last > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), last - first, Int32(MADV_DONTNEED))
    }

    /// Maps the whole file read-only. The mapping is private, so a writer truncating the
    /// file underneath would raise SIGBUS on access; checkpoints are immutable once written.
    private static func map(_ url: URL, context: String) throws(CheckpointError) -> (UnsafeRawPointer, Int) {
        // FileAccess refuses a directory here, which mmap would report as "No such device".
        let fd: Int32, size: Int
        do { (fd, size) = try FileAccess.openForReading(url.path) } catch { throw CheckpointError(error, context: context) }
        defer { close(fd) }
        guard size >= 8 else {
            throw CheckpointError(.truncatedFile,
                "\(context): file is \(size) bytes, shorter than the 8-byte header length prefix")
        }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw CheckpointError(.ioFailure, "\(context): cannot map: \(String(cString: strerror(errno)))")
        }
        return (UnsafeRawPointer(pointer), size)
    }
}
