import Foundation
import LinearAlgebra
import Testing
@testable import Checkpoints

/// Writer → reader round trips. Oracle: the values written. Tolerance: F32 exact; F16 and
/// BF16 round to nearest, so relative error is at most half an ulp of the stored type:
/// 2^-11 for F16 (10 fraction bits) and 2^-8 for BF16 (7 fraction bits), for values in
/// the normal range of both (all values below are).
@Suite struct SafetensorsRoundTripTests {
    static let values: [Float] = (0..<24).map { i in
        Float(i - 12) * 0.173 + (i.isMultiple(of: 3) ? 1e-3 : 0) + (i == 5 ? 1000.5 : 0)
    }

    @Test(arguments: [(SafetensorsDType.f32, Float(0)), (.f16, 0x1p-11), (.bf16, 0x1p-8)])
    func matrixRoundTrip(dtype: SafetensorsDType, relativeTolerance: Float) throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("m.safetensors")
            try SafetensorsWriter.write(
                tensors: [(name: "w", shape: [4, 6], dtype: dtype, values: Self.values)],
                metadata: ["format": "pt"], to: url)
            let file = try SafetensorsFile(url: url)
            #expect(file.metadata == ["format": "pt"])
            #expect(file.tensors["w"] == TensorInfo(name: "w", dtype: dtype, shape: [4, 6],
                                                    byteRange: 0..<(24 * dtype.byteSize)))
            let m = try file.matrix("w")
            #expect(m.rows == 4 && m.columns == 6)
            for (got, want) in zip(m.storage, Self.values) {
                #expect(abs(got - want) <= relativeTolerance * abs(want), "\(dtype): \(got) vs \(want)")
            }
            #expect(m[1, 2] == m.storage[8], "row-major layout")
        }
    }

    @Test func severalTensorsAnyRankAndEmpty() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("t.safetensors")
            let cube = (0..<24).map { Float($0) }
            try SafetensorsWriter.write(tensors: [
                (name: "cube", shape: [2, 3, 4], dtype: .f32, values: cube),
                (name: "bias", shape: [3], dtype: .bf16, values: [1, -2, 0.5]),
                (name: "empty", shape: [0, 5], dtype: .f16, values: []),
                (name: "scalar", shape: [], dtype: .f32, values: [7]),
            ], to: url)
            let file = try SafetensorsFile(url: url)
            #expect(file.tensorNames == ["bias", "cube", "empty", "scalar"])
            #expect(file.metadata.isEmpty)
            let t = try file.tensor("cube")
            #expect(t.shape == [2, 3, 4] && t.values == cube)
            #expect(try file.tensor("bias").values == [1, -2, 0.5])
            #expect(try file.tensor("scalar").values == [7])
            let empty = try file.matrix("empty")
            #expect(empty.rows == 0 && empty.columns == 5 && empty.storage.isEmpty)
        }
    }

    /// Oracle: IEEE 754 binary16 and bfloat16 bit patterns worked out by hand.
    @Test func halfPrecisionSpecialValuesAndRounding() throws {
        let f16 = FloatConversion.encode([1, -2, 65504, .infinity, 0x1p-24], as: .f16)
        #expect(f16 == [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x00, 0x7C, 0x01, 0x00])
        // 1 + 2^-8 is a tie between 1 and 1 + 2^-7 in BF16: ties go to even (1.0).
        #expect(FloatConversion.bfloat16Bits(1 + 0x1p-8) == 0x3F80)
        #expect(FloatConversion.bfloat16Bits(1 + 0x1p-8 + 0x1p-16) == 0x3F81)
        #expect(FloatConversion.bfloat16Bits(.nan) == 0x7FC0)
        #expect(FloatConversion.bfloat16Bits(-.infinity) == 0xFF80)
        let decoded = f16.withUnsafeBytes { FloatConversion.decode($0.baseAddress!, count: 5, dtype: .f16) }
        #expect(decoded == [1, -2, 65504, .infinity, 0x1p-24])
    }

    /// A header whose length is not a multiple of 8 leaves the data unaligned; reads
    /// must still be correct (they load unaligned).
    @Test func unalignedDataArea() throws {
        try withTemporaryDirectory { dir in
            var data = rawSafetensors(header: #"{"x":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#,
                                      dataBytes: 0)
            for v: Float in [1.5, -3.25] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            let file = try SafetensorsFile(url: try write(data, to: dir, "u.safetensors"))
            #expect(try file.matrix("x").storage == [1.5, -3.25])
        }
    }

    @Test func writerRefusesBadInput() {
        expectCheckpointError(.invalidTensor, "out: tensor w: shape [2, 2] does not hold 3 values") {
            _ = try SafetensorsWriter.encode(tensors: [(name: "w", shape: [2, 2], dtype: .f32, values: [1, 2, 3])],
                                             name: "out")
        }
        expectCheckpointError(.invalidTensor, "out: tensor w: cannot write I8; only F32, F16 and BF16") {
            _ = try SafetensorsWriter.encode(tensors: [(name: "w", shape: [1], dtype: .i8, values: [1])], name: "out")
        }
    }

    @Test func jsonEscapingOfNamesAndMetadata() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("e.safetensors")
            let odd = "a\"b\\c\nd\u{1}é"
            try SafetensorsWriter.write(tensors: [(name: odd, shape: [1], dtype: .f32, values: [2])],
                                        metadata: [odd: odd], to: url)
            let file = try SafetensorsFile(url: url)
            #expect(file.metadata == [odd: odd])
            #expect(try file.tensor(odd).values == [2])
        }
    }
}
