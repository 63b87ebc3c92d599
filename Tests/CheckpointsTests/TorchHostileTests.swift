import Foundation
import SpectraTestSupport
import Testing
@testable import Checkpoints

/// Files a hostile or careless writer could produce: each is refused with an error naming
/// the file (and the tensor or global), and nothing in them is ever run.
@Suite struct TorchHostileTests {
    private func path(_ name: String) -> URL { torchFixtures.appendingPathComponent(name) }

    /// The fixture's pickle would `touch` this file if anything executed it.
    private let marker = "/tmp/spectra-torch-fixture-executed"

    @Test func reduceCallingOsSystemIsRefused() throws {
        let url = path("reduce-os-system.bin")
        expectCheckpointError(.forbiddenGlobal,
            "PyTorch checkpoint \(url.path): views/data.pkl: pickle byte 18: refusing global posix.system: a state dict may "
            + "name only \(TorchGlobal.allowed); nothing was executed") {
            _ = try TorchCheckpointFile(url: url)
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func globalOfAnotherModuleIsRefused() throws {
        let url = path("global-numpy.bin")
        expectCheckpointError(.forbiddenGlobal,
            "PyTorch checkpoint \(url.path): global-numpy/data.pkl: pickle byte 18: refusing global numpy._core.multiarray._reconstruct",
            prefixOnly: true) {
            _ = try TorchCheckpointFile(url: url)
        }
    }

    @Test func stackGlobalOfEvalIsRefused() {
        var p = PickleBytes()
        p.string("builtins"); p.string("eval"); p.op(0x93)
        expectArchiveError(.forbiddenGlobal, "t: archive/data.pkl: pickle byte 24: refusing global builtins.eval", prefixOnly: true,
                           torchArchive(pickle: p.bytes))
    }

    @Test func storageLargerThanItsEntry() throws {
        let url = path("oversized-storage.bin")
        expectCheckpointError(.sizeMismatch,
            "PyTorch checkpoint \(url.path): tensor matrix: storage 0 claims 200 × F32 elements but its entry "
            + "views/data/0 holds 48 bytes") {
            _ = try TorchCheckpointFile(url: url)
        }
    }

    @Test func legacyFormatIsRefused() throws {
        let url = path("legacy.bin")
        expectCheckpointError(.unsupportedFormat,
            "PyTorch checkpoint \(url.path): this is the legacy (pre-1.6) torch.save format", prefixOnly: true) {
            _ = try TorchCheckpointFile(url: url)
        }
    }

    @Test func compressedArchiveIsRefused() throws {
        let url = path("deflated.bin")
        expectCheckpointError(.unsupportedFormat,
            "PyTorch checkpoint \(url.path): views/data.pkl is compressed (method 8); torch.save stores it uncompressed") {
            _ = try TorchCheckpointFile(url: url)
        }
    }

    @Test func compressedStorageIsRefusedByTensorName() {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "0", numel: 2, shape: [2], strides: [1]) })])
        expectArchiveError(.unsupportedFormat,
            "t: tensor w: storage entry archive/data/0 is compressed (method 8) and cannot be mapped; torch.save stores tensors uncompressed",
            torchArchive(pickle: pickle, storages: [("0", [UInt8](repeating: 0, count: 8))], method: ["archive/data/0": 8]))
    }

    @Test func viewPastItsStorage() {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "0", numel: 4, offset: 1, shape: [2, 2], strides: [2, 1]) })])
        expectArchiveError(.rangeOutOfBounds,
            "t: tensor w is F32 of shape 2 × 2 with strides [2, 1] at storage offset 1, reaching element 4 of storage 0, which holds 4",
            torchArchive(pickle: pickle, storages: [("0", [UInt8](repeating: 0, count: 16))]))
    }

    @Test func overflowingStrides() {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "0", numel: 4, shape: [3, 0x7fff_ffff], strides: [0x7fff_ffff, 0x7fff_ffff]) })])
        // Within Int64 but past the storage: the product is checked, then the reach.
        expectArchiveError(.rangeOutOfBounds, "t: tensor w is F32 of shape 3 × 2147483647", prefixOnly: true,
                           torchArchive(pickle: pickle, storages: [("0", [UInt8](repeating: 0, count: 16))]))
    }

    @Test func sharedStorageWithTwoTypes() {
        let pickle = PickleBytes.stateDict([
            ("a", { $0.tensor(key: "0", numel: 4, shape: [4], strides: [1]) }),
            ("b", { $0.tensor(storageType: "HalfStorage", key: "0", numel: 8, shape: [8], strides: [1]) }),
        ])
        expectArchiveError(.sizeMismatch, "t: tensor b: storage 0 is 8 × F16 here but 4 × F32 for an earlier tensor",
                           torchArchive(pickle: pickle, storages: [("0", [UInt8](repeating: 0, count: 16))]))
    }

    @Test func missingStorageEntry() {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "7", numel: 1, shape: [], strides: []) })])
        expectArchiveError(.malformedArchive, "t: tensor w: its storage entry archive/data/7 is not in the archive",
                           torchArchive(pickle: pickle))
    }

    @Test func bigEndianArchive() {
        expectArchiveError(.unsupportedFormat, "t: archive/byteorder is \"big\"; only little-endian archives are read",
                           torchArchive(pickle: PickleBytes.stateDict([]), byteorder: "big"))
    }

    @Test func valueThatIsNotATensor() {
        let pickle = PickleBytes.stateDict([("step", { $0.int(5) })])
        expectArchiveError(.malformedPickle, "t: tensor step: the state dict holds the integer 5, not a tensor", torchArchive(pickle: pickle))
    }

    @Test func deepNestingIsBounded() {
        var p = PickleBytes()
        p.op(0x4E)
        for _ in 0 ..< 40 { p.op(0x85) }
        p.op(0x2E)
        expectArchiveError(.malformedPickle, "t: archive/data.pkl: pickle byte 35: containers nest deeper than 32",
                           torchArchive(pickle: p.bytes))
    }

    /// A real state dict's pickle holds a few thousand values at once; a hostile one cannot
    /// grow the stack or the open marks in proportion to its length.
    @Test func stackAndMarksAreBounded() {
        let values = [UInt8](repeating: 0x4E, count: 70_000)
        expectArchiveError(.malformedPickle, "t: archive/data.pkl: pickle byte 65538: holds more than 65536 values at once",
                           torchArchive(pickle: [0x80, 2] + values + [0x2E]))
        let marks = [UInt8](repeating: 0x28, count: 300)
        expectArchiveError(.malformedPickle, "t: archive/data.pkl: pickle byte 258: more than 256 open MARKs",
                           torchArchive(pickle: [0x80, 2] + marks + [0x2E]))
    }

    @Test func malformedPickles() {
        let cases: [([UInt8], String)] = [
            ([0x80, 2, 0x68, 9, 0x2E], "pickle byte 2: memo entry 9 was never stored"),
            ([0x80, 2, 0x4E, 0x4E, 0x2E], "pickle byte 4: STOP with 2 values and 0 marks left, not one value"),
            ([0x80, 2, 0x8A, 9] + [UInt8](repeating: 1, count: 9) + [0x2E], "pickle byte 2: a 9-byte integer is wider than 64 bits"),
            ([0x80, 2, 0x63] + Array("os".utf8), "pickle byte 2: GLOBAL name has no terminating newline"),
            ([0x80, 2, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41], "pickle byte 2: needs 2147483647 bytes of operand, 1 are left"),
            ([0x80, 2, 0x69], "pickle byte 2: opcode 0x69 is not one a PyTorch state dict uses"),
            ([0x80, 2, 0x28, 0x75, 0x2E], "pickle byte 3: needs 1 values above the last mark, the stack holds 0"),
            ([0x80, 2, 0x4E], "pickle byte 3: ends without a STOP opcode"),
            ([0x80, 9], "pickle byte 0: pickle protocol 9 is not 2 to 5"),
        ]
        for (pickle, message) in cases {
            expectArchiveError(.malformedPickle, "t: archive/data.pkl: \(message)", torchArchive(pickle: pickle))
        }
    }

    @Test func centralDirectoryCountBeyondItsSize() {
        var bytes = [UInt8](torchArchive(pickle: PickleBytes.stateDict([])))
        bytes[bytes.count - 12] = 0xFF // total entries low byte: 255 + 2 entries cannot fit
        bytes[bytes.count - 11] = 0x00
        expectArchiveError(.malformedArchive, "t: not a readable ZIP archive: 255 entries cannot fit a central directory of",
                           prefixOnly: true, Data(bytes))
    }

    /// ZIP64 sizes and offsets (archives over 4 GiB) are followed; the values prove it.
    @Test func zip64Archive() throws {
        let pickle = PickleBytes.stateDict([("w", { $0.tensor(key: "0", numel: 3, shape: [3], strides: [1]) })])
        let values: [Float] = [1.5, -2, 4]
        let data = torchArchive(pickle: pickle, storages: [("0", values.flatMap { le($0.bitPattern) })], zip64: true)
        let read: [Float] = try data.withUnsafeBytes { raw in
            let archive = try TorchArchive(raw, context: "t")
            return try #require(archive.tensors["w"]).floats(in: raw)
        }
        #expect(read == values)
    }

    /// Every prefix of a real archive is refused; none traps.
    @Test func everyTruncationIsRefused() throws {
        let bytes = try Data(contentsOf: path("views.bin"))
        for length in 0 ..< bytes.count {
            let result = Result { () throws(CheckpointError) in try parse(bytes.prefix(length)) }
            #expect(throws: CheckpointError.self, "length \(length)") { try result.get() }
        }
    }

    /// Each byte of a real archive inverted in turn: refused or read, never a trap or a read
    /// outside the buffer (every tensor that validates is read in full).
    @Test func everyByteFlipIsSafe() throws {
        let bytes = try Data(contentsOf: path("views.bin"))
        var accepted = 0
        for index in 0 ..< bytes.count {
            var copy = bytes
            copy[index] ^= 0xFF
            if (try? parse(copy)) != nil { accepted += 1 }
        }
        // Flips inside tensor data and unused header fields leave a valid archive.
        #expect(accepted > 0 && accepted < bytes.count)
    }

    /// Parses `data` as an archive and reads every readable tensor.
    @discardableResult
    private func parse(_ data: Data) throws(CheckpointError) -> Int {
        let result: Result<Int, CheckpointError> = data.withUnsafeBytes { raw in
            Result { () throws(CheckpointError) in
                let archive = try TorchArchive(raw, context: "t")
                return archive.tensors.values.reduce(0) { $0 + $1.floats(in: raw).count }
            }
        }
        return try result.get()
    }

    private func expectArchiveError(_ code: CheckpointError.Code, _ message: String, prefixOnly: Bool = false,
                                    _ data: Data, sourceLocation: SourceLocation = #_sourceLocation) {
        expectCheckpointError(code, message, prefixOnly: prefixOnly, sourceLocation: sourceLocation) {
            try self.parse(data)
        }
    }
}
