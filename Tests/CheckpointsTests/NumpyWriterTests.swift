import Checkpoints
import Foundation
import LinearAlgebra
import Testing

@Suite("NumpyWriter")
struct NumpyWriterTests {
    @Test("a written matrix reads back exactly, with a 64-byte aligned header")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let values: [Float] = (0..<15).map { Float($0) * 0.5 - 3 }
        let matrix = try Matrix(rows: 3, columns: 5, storage: values)
        let url = directory.appendingPathComponent("nested/layer-00.npy")
        try NumpyWriter.write(matrix, to: url)
        let data = try Data(contentsOf: url)
        // Oracle: the .npy 1.0 format puts the data at a multiple of 64 bytes.
        #expect((data.count - 15 * 4) % 64 == 0)
        let file = try NumpyFile(url: url)
        #expect(file.shape == [3, 5])
        #expect(file.dtype == .float32 && !file.fortranOrder)
        #expect(try file.matrix() == matrix)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(leftovers == ["layer-00.npy"])
    }
}
