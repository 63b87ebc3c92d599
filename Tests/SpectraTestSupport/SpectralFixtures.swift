import Foundation
import LinearAlgebra

/// Reads Tests/Fixtures/spectral, written by tools/make_spectral_fixtures.py, for the
/// LinearAlgebra and SpectralMetrics tests. The .npy parsing here covers only what that
/// script writes (little-endian f4/f8, 2-D); the product's reader is
/// Checkpoints.NumpyFile, which those targets do not depend on.
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spectral")

    public static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    public static func representation(_ name: String) throws -> [String: Any] {
        (try expected()["representations"] as! [String: Any])[name] as! [String: Any]
    }

    public static func weight(_ name: String) throws -> [String: Any] {
        (try expected()["weights"] as! [String: Any])[name] as! [String: Any]
    }

    /// The matrix in `name`.npy as row-major Float32.
    public static func matrix(_ name: String) throws -> Matrix<Float> {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).npy"))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let shapeText = header.split(separator: "(")[1].split(separator: ")")[0]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let fortran = header.contains("'fortran_order': True")
        let wide = header.contains("<f8")
        let body = data[(10 + headerLength)...]
        let count = shape[0] * shape[1]
        var values = [Float](repeating: 0, count: count)
        body.withUnsafeBytes { raw in
            for k in 0..<count {
                values[k] = wide ? Float(raw.loadUnaligned(fromByteOffset: 8 * k, as: Double.self))
                                 : raw.loadUnaligned(fromByteOffset: 4 * k, as: Float.self)
            }
        }
        var m = try Matrix<Float>(rows: shape[0], columns: shape[1], storage: values)
        if fortran { m = try Matrix<Float>(rows: shape[1], columns: shape[0], storage: values).transposed() }
        return m
    }

    public static let representationNames = ["gaussian", "powerlaw", "lowrank_noise", "massive_activation", "wide", "ill_conditioned"]
    public static let weightNames = ["student_t", "student_t_wide", "gaussian_square"]
}

/// max_i |a_i − b_i| / |b_i| over the first `count` entries.
public func maxRelativeError(_ a: [Double], _ b: [Double], count: Int? = nil) -> Double {
    let n = count ?? min(a.count, b.count)
    return (0..<n).map { abs(a[$0] - b[$0]) / abs(b[$0]) }.max() ?? 0
}
