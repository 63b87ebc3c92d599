import Foundation
import Testing
@testable import Checkpoints

/// Each malformed file is its own test; every one checks the code and the full message,
/// which must name the file and, where there is one, the tensor.
@Suite struct SafetensorsValidationTests {
    /// Writes a raw file and opens it, returning the error message prefix for that file.
    private func open(header: String, dataBytes: Int, in dir: URL) throws -> (URL, String) {
        let url = try write(rawSafetensors(header: header, dataBytes: dataBytes), to: dir, "bad.safetensors")
        return (url, "safetensors file \(url.path)")
    }

    @Test func truncatedFileShorterThanPrefix() throws {
        try withTemporaryDirectory { dir in
            let url = try write(Data([1, 2, 3, 4, 5]), to: dir, "short.safetensors")
            expectCheckpointError(.truncatedFile,
                "safetensors file \(url.path): file is 5 bytes, shorter than the 8-byte header length prefix") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func emptyFile() throws {
        try withTemporaryDirectory { dir in
            let url = try write(Data(), to: dir, "empty.safetensors")
            expectCheckpointError(.truncatedFile,
                "safetensors file \(url.path): file is 0 bytes, shorter than the 8-byte header length prefix") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func missingFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("absent.safetensors")
            expectCheckpointError(.fileNotFound,
                "safetensors file \(url.path): not found") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func headerLengthPastEnd() throws {
        try withTemporaryDirectory { dir in
            var data = Data()
            withUnsafeBytes(of: UInt64(1000).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array("{\"a\":1}xyz".utf8))
            let url = try write(data, to: dir, "long.safetensors")
            expectCheckpointError(.headerOutOfBounds,
                "safetensors file \(url.path): header length 1000 exceeds the 10 bytes after the 8-byte "
                + "prefix (file size 18); the file is truncated or not safetensors") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func malformedJSON() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"x": {"dtype": "F32", "#, dataBytes: 0, in: dir)
            expectCheckpointError(.malformedHeader,
                "\(file): header (23 bytes) is not valid JSON: Unexpected end of file during JSON parse.") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func headerNotAnObject() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: "[1, 2]", dataBytes: 0, in: dir)
            expectCheckpointError(.malformedHeader, "\(file): header is an array of 2, not a JSON object of tensors") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func unknownDType() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"w":{"dtype":"F12","shape":[2],"data_offsets":[0,4]}}"#,
                                       dataBytes: 4, in: dir)
            expectCheckpointError(.unknownDType,
                "\(file): tensor w has unknown dtype \"F12\" (known: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL F8_E4M3 F8_E5M2)") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func shapeTimesDTypeDisagreesWithByteRange() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(
                header: #"{"gpt_neox.layers.0.attention.dense.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#,
                dataBytes: 16, in: dir)
            expectCheckpointError(.sizeMismatch,
                "\(file): tensor gpt_neox.layers.0.attention.dense.weight is F32 but its byte range 0..12 "
                + "holds 12 bytes while shape 2 × 2 needs 4 × 4 = 16") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func overlappingRanges() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: """
                {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
                """, dataBytes: 12, in: dir)
            expectCheckpointError(.overlappingRanges, "\(file): tensors a (bytes 0..8) and b (bytes 4..12) overlap") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func offsetsPastTheDataArea() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(
                header: #"{"gpt_neox.layers.3.attention.dense.weight":{"dtype":"BF16","shape":[200],"data_offsets":[812,1212]}}"#,
                dataBytes: 400, in: dir)
            expectCheckpointError(.rangeOutOfBounds,
                "\(file): tensor gpt_neox.layers.3.attention.dense.weight is BF16 but its byte range 812..1212 "
                + "ends past the data area (400 bytes)") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func offsetsBeginAfterEnd() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"w":{"dtype":"F16","shape":[0],"data_offsets":[8,4]}}"#,
                                       dataBytes: 8, in: dir)
            expectCheckpointError(.rangeOutOfBounds, "\(file): tensor w is F16 but its byte range 8..4 begins after it ends") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func negativeShapeDimension() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"w":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,0]}}"#,
                                       dataBytes: 0, in: dir)
            expectCheckpointError(.malformedHeader, "\(file): tensor w: shape dimension -1 is not a non-negative integer") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func missingDataOffsets() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, dataBytes: 4, in: dir)
            expectCheckpointError(.malformedHeader,
                "\(file): tensor w: \"data_offsets\" must be [begin, end] of two non-negative integers") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func metadataValueNotAString() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"__metadata__":{"format":3}}"#, dataBytes: 0, in: dir)
            expectCheckpointError(.malformedHeader, "\(file): __metadata__ entry \"format\" is 3, not a string") {
                _ = try SafetensorsFile(url: url)
            }
        }
    }

    @Test func oneDimensionalTensorAskedAsMatrix() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("v.safetensors")
            try SafetensorsWriter.write(tensors: [(name: "ln.bias", shape: [3], dtype: .f32, values: [1, 2, 3])], to: url)
            expectCheckpointError(.notAMatrix,
                "safetensors file \(url.path): tensor ln.bias has shape [3] (1-D), not a 2-D matrix") {
                _ = try SafetensorsFile(url: url).matrix("ln.bias")
            }
        }
    }

    @Test func knownButUnreadableDType() throws {
        try withTemporaryDirectory { dir in
            let (url, file) = try open(header: #"{"q":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[0,4]}}"#,
                                       dataBytes: 4, in: dir)
            let opened = try SafetensorsFile(url: url)
            #expect(opened.tensors["q"]?.dtype == .f8e4m3)
            expectCheckpointError(.unsupportedDType,
                "\(file): tensor q is F8_E4M3; only F64, F32, F16 and BF16 tensors can be read as Float32") {
                _ = try opened.matrix("q")
            }
        }
    }

    @Test func tensorNotInFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("one.safetensors")
            try SafetensorsWriter.write(tensors: [(name: "a", shape: [1], dtype: .f32, values: [1])], to: url)
            expectCheckpointError(.tensorNotFound,
                "safetensors file \(url.path): no tensor named b (the file holds 1 tensors)") {
                _ = try SafetensorsFile(url: url).tensor("b")
            }
        }
    }
}
