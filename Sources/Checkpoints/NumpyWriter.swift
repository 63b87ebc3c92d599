import Foundation
import LinearAlgebra

/// Writes `.npy` files (format 1.0, little-endian float32, C order) that numpy and
/// `NumpyFile` read back.
public enum NumpyWriter {
    /// The bytes of `matrix` as a `.npy` file.
    public static func encode(_ matrix: Matrix<Float>) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(matrix.rows), \(matrix.columns)), }"
        // numpy pads the header with spaces and a final newline so the data starts on a
        // 64-byte boundary (magic 6 + version 2 + length 2 = 10 bytes before it).
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        matrix.storage.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Writes `matrix` to `url` atomically; an I/O failure is an error naming the file.
    public static func write(_ matrix: Matrix<Float>, to url: URL) throws(CheckpointError) {
        do {
            try encode(matrix).write(to: url, options: .atomic)
        } catch {
            throw CheckpointError(.ioFailure, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
