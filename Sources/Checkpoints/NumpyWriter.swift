import Foundation
import SpectraBase
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `.npy` version 1.0 files: a little-endian float32 matrix in C order, the format
/// numpy, PyTorch and `NumpyFile` read.
public enum NumpyWriter {
    /// The complete file contents for `matrix`.
    public static func encode(_ matrix: Matrix<Float>) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(matrix.rows), \(matrix.columns)), }"
        // Magic (6) + version (2) + header length (2) + header must be a multiple of 64,
        // the header ending in a newline (the format's alignment rule).
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        matrix.storage.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        return data
    }

    /// Writes `matrix` to `url` through a temporary file in the same directory and a rename,
    /// so a reader (or a preempted writer) never sees a partial file.
    public static func write(_ matrix: Matrix<Float>, to url: URL) throws(CheckpointError) {
        try writeAtomically(encode(matrix), to: url)
    }

    /// Writes `data` to `url` (creating its directory) through a uniquely named temporary
    /// file beside it and a rename, which replaces any file already there.
    public static func writeAtomically(_ data: Data, to url: URL) throws(CheckpointError) {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw CheckpointError(.ioFailure, "cannot move \(temporary.path) to \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as CheckpointError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(.ioFailure, "cannot write \(url.path): \(FileAccess.reason(error))")
        }
    }
}
