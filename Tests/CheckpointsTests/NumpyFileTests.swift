import Foundation
import Testing
import LinearAlgebra
@testable import Checkpoints

@Suite struct NumpyFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spectral")

    /// Writes `bytes` to a fresh temporary file and returns its URL.
    static func temporary(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-npy-\(UUID().uuidString).npy")
        try Data(bytes).write(to: url)
        return url
    }

    /// A version-1 .npy with `header` (padded to 64-byte alignment as numpy does) and `body`.
    static func npy(_ header: String, body: [UInt8]) -> [UInt8] {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + body
    }

    // Oracle: numpy wrote powerlaw.npy (float32, C order) and powerlaw_f64_fortran.npy (the
    // same values as float64, Fortran order); both must read as the same matrix exactly,
    // float32 → float64 → float32 being lossless.
    @Test func readsFloat32COrderAndFloat64FortranOrderAlike() throws {
        let c = try NumpyFile(url: Self.fixtures.appendingPathComponent("powerlaw.npy"))
        let f = try NumpyFile(url: Self.fixtures.appendingPathComponent("powerlaw_f64_fortran.npy"))
        #expect(c.shape == [400, 150] && c.dtype == .float32 && !c.fortranOrder)
        #expect(f.shape == [400, 150] && f.dtype == .float64 && f.fortranOrder)
        #expect(f.storageOrder == .columnMajor)
        #expect(try c.matrix() == f.matrix())
    }

    // Oracle: values written by hand; element (1, 0) of a 2 × 3 Fortran array is the
    // second stored value.
    @Test func fortranOrderIsColumnMajor() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let body = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let url = try Self.temporary(Self.npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body: body))
        defer { try? FileManager.default.removeItem(at: url) }
        let m = try NumpyFile(url: url).matrix()
        #expect(m.storage == [1, 3, 5, 2, 4, 6])
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/spectra/x.npy")
        #expect(throws: CheckpointError(.fileNotFound, "numpy file /nonexistent/spectra/x.npy: not found")) {
            try NumpyFile(url: url)
        }
    }

    @Test func unsupportedDTypeIsNamed() throws {
        let url = try Self.temporary(Self.npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", body: [0, 0, 0, 0]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CheckpointError(.unsupportedDType,
            "numpy file \(url.path): dtype '<i4' is not supported; Spectra reads little-endian float32 ('<f4') and float64 ('<f8')")) {
            try NumpyFile(url: url)
        }
    }

    @Test func truncatedDataIsASizeMismatch() throws {
        let url = try Self.temporary(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", body: [0, 0, 0, 0]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CheckpointError(.sizeMismatch,
            "numpy file \(url.path): shape (2, 2) of float32 needs 16 data bytes, the file has 4")) {
            try NumpyFile(url: url)
        }
    }

    @Test func notNumpyAndOneDimensionalAreErrors() throws {
        let junk = try Self.temporary(Array("this is not a numpy file".utf8))
        defer { try? FileManager.default.removeItem(at: junk) }
        #expect(throws: CheckpointError(.malformedHeader, "numpy file \(junk.path): not a .npy file (no \\x93NUMPY magic)")) {
            try NumpyFile(url: junk)
        }
        let vector = try Self.temporary(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", body: Array(repeating: 0, count: 12)))
        defer { try? FileManager.default.removeItem(at: vector) }
        let file = try NumpyFile(url: vector)
        #expect(file.shape == [3])
        #expect(throws: CheckpointError(.notAMatrix, "numpy file \(vector.path): shape (3) is 1-D, not a 2-D matrix")) {
            try file.matrix()
        }
    }
}
