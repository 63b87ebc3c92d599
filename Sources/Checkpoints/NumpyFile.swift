import Foundation
import SpectraBase
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.npy` array of float32 or float64 (C or Fortran order), mapped read-only.
///
/// Safe to share across threads (`@unchecked Sendable`): the mapping is `PROT_READ`,
/// every stored property is immutable after `init`, and `deinit` unmaps only once no
/// reference (and so no reader) remains.
public final class NumpyFile: @unchecked Sendable {
    public enum DType: String, Sendable { case float32 = "<f4", float64 = "<f8" }

    /// The elements in the file's own type and order, inside the mapping (no copy).
    public enum Elements {
        case float32(UnsafeBufferPointer<Float>)
        case float64(UnsafeBufferPointer<Double>)
    }

    public let url: URL
    public let shape: [Int]
    public let dtype: DType
    /// True for Fortran (column-major) order.
    public let fortranOrder: Bool

    private let base: UnsafeRawPointer
    private let fileSize: Int
    private let dataOffset: Int

    /// Opens `url` and validates its header against the file's size.
    public init(url: URL) throws(CheckpointError) {
        self.url = url
        let context = "numpy file \(url.path)"
        let (base, size) = try Self.map(url, context: context)
        do {
            let header = try NumpyHeader(base: base, fileSize: size, context: context)
            (shape, dtype, fortranOrder, dataOffset) = (header.shape, header.dtype, header.fortranOrder, header.dataOffset)
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
        self.base = base
        self.fileSize = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var storageOrder: StorageOrder { fortranOrder ? .columnMajor : .rowMajor }

    /// Rows and columns of a 2-D array; an error naming the file otherwise.
    public func matrixShape() throws(CheckpointError) -> (rows: Int, columns: Int) {
        guard shape.count == 2 else {
            throw CheckpointError(.notAMatrix, "numpy file \(url.path): shape (\(shape.map(String.init).joined(separator: ", "))) is \(shape.count)-D, not a 2-D matrix")
        }
        return (shape[0], shape[1])
    }

    /// Calls `body` with the elements inside the mapping. The pointer must not escape.
    /// numpy pads headers so data starts 64-byte aligned; a file that is not gets one
    /// aligned copy rather than a misaligned typed pointer.
    public func withElements<R, E: Error>(_ body: (Elements) throws(E) -> R) throws(E) -> R {
        let start = base + dataOffset
        switch dtype {
        case .float32:
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                return try body(.float32(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: elementCount)))
            }
            let copy = (0..<elementCount).map { start.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            return try copy.withUnsafeBufferPointer { (b) throws(E) -> R in try body(.float32(b)) }
        case .float64:
            if Int(bitPattern: start) % MemoryLayout<Double>.alignment == 0 {
                return try body(.float64(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Double.self), count: elementCount)))
            }
            let copy = (0..<elementCount).map { start.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
            return try copy.withUnsafeBufferPointer { (b) throws(E) -> R in try body(.float64(b)) }
        }
    }

    /// The 2-D array as a row-major Float32 matrix (a copy; float64 values are rounded).
    public func matrix() throws(CheckpointError) -> Matrix<Float> {
        let (rows, columns) = try matrixShape()
        var out = Matrix<Float>(zeros: rows, columns)
        let fortran = fortranOrder
        withElements { elements in
            func fill<S: BinaryFloatingPoint>(_ source: UnsafeBufferPointer<S>) {
                for i in 0..<rows {
                    for j in 0..<columns {
                        out.storage[i * columns + j] = Float(source[fortran ? j * rows + i : i * columns + j])
                    }
                }
            }
            switch elements {
            case .float32(let b): fill(b)
            case .float64(let b): fill(b)
            }
        }
        return out
    }

    /// Maps the whole file read-only (private mapping: the file must not be truncated meanwhile).
    private static func map(_ url: URL, context: String) throws(CheckpointError) -> (UnsafeRawPointer, Int) {
        // FileAccess refuses a directory here, which mmap would report as "No such device".
        let fd: Int32, size: Int
        do { (fd, size) = try FileAccess.openForReading(url.path) } catch { throw CheckpointError(error, context: context) }
        defer { close(fd) }
        guard size >= 10 else {
            throw CheckpointError(.malformedHeader, "\(context): \(size) bytes is too short for a .npy header")
        }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw CheckpointError(.ioFailure, "\(context): cannot map: \(String(cString: strerror(errno)))")
        }
        return (UnsafeRawPointer(pointer), size)
    }
}

/// The parsed header of a `.npy` file (format versions 1–3).
struct NumpyHeader {
    let shape: [Int]
    let dtype: NumpyFile.DType
    let fortranOrder: Bool
    let dataOffset: Int

    init(base: UnsafeRawPointer, fileSize: Int, context: String) throws(CheckpointError) {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
        guard (0..<6).allSatisfy({ base.load(fromByteOffset: $0, as: UInt8.self) == magic[$0] }) else {
            throw CheckpointError(.malformedHeader, "\(context): not a .npy file (no \\x93NUMPY magic)")
        }
        let major = base.load(fromByteOffset: 6, as: UInt8.self)
        let byte = { (i: Int) in Int(base.load(fromByteOffset: i, as: UInt8.self)) }
        let (length, start): (Int, Int)
        switch major {
        case 1: (length, start) = (byte(8) | byte(9) << 8, 10)
        case 2, 3:
            guard fileSize >= 12 else { throw CheckpointError(.malformedHeader, "\(context): truncated header") }
            (length, start) = (byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24, 12)
        default:
            throw CheckpointError(.malformedHeader, "\(context): unknown .npy format version \(major)")
        }
        guard start + length <= fileSize else {
            throw CheckpointError(.malformedHeader, "\(context): header length \(length) exceeds file size \(fileSize)")
        }
        let text = String(decoding: UnsafeRawBufferPointer(start: base + start, count: length), as: UTF8.self)
        func field(_ key: String) throws(CheckpointError) -> Substring {
            guard let range = text.range(of: "'\(key)':") else {
                throw CheckpointError(.malformedHeader, "\(context): header has no '\(key)' entry: \(text)")
            }
            return text[range.upperBound...].drop(while: { $0 == " " })
        }
        let descr = try field("descr")
        let descrValue = descr.dropFirst().prefix(while: { $0 != "'" })
        switch descrValue {
        case "<f4", "|f4": dtype = .float32
        case "<f8", "|f8": dtype = .float64
        default:
            throw CheckpointError(.unsupportedDType,
                "\(context): dtype '\(descrValue)' is not supported; Spectra reads little-endian float32 ('<f4') and float64 ('<f8')")
        }
        let fortran = try field("fortran_order")
        if fortran.hasPrefix("True") { fortranOrder = true }
        else if fortran.hasPrefix("False") { fortranOrder = false }
        else { throw CheckpointError(.malformedHeader, "\(context): fortran_order is neither True nor False") }
        let shapeText = try field("shape")
        guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw CheckpointError(.malformedHeader, "\(context): shape is not a tuple")
        }
        var dims = [Int]()
        for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let value = Int(trimmed), value >= 0 else {
                throw CheckpointError(.malformedHeader, "\(context): shape entry '\(trimmed)' is not a size")
            }
            dims.append(value)
        }
        shape = dims
        dataOffset = start + length
        let itemSize = dtype == .float32 ? 4 : 8
        // Checked products: a corrupt shape must be an error, not an overflow trap.
        var expected = itemSize
        for d in dims {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else { throw CheckpointError(.sizeMismatch, "\(context): shape \(dims) overflows the address space") }
            expected = product
        }
        guard fileSize - dataOffset == expected else {
            throw CheckpointError(.sizeMismatch,
                "\(context): shape (\(dims.map(String.init).joined(separator: ", "))) of \(dtype == .float32 ? "float32" : "float64") needs \(expected) data bytes, the file has \(fileSize - dataOffset)")
        }
    }
}
