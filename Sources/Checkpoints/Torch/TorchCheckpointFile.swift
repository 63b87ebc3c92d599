import Foundation
import LinearAlgebra

/// A PyTorch checkpoint (`pytorch_model.bin`, as `torch.save` writes it) mapped read-only,
/// with its pickle read by `PickleMachine` (which runs nothing) and every tensor validated
/// against the archive when it is opened. See `TorchArchive` for the format.
///
/// Safe to share across threads: every stored property is immutable after `init` and the
/// mapping lives as long as the object.
public final class TorchCheckpointFile: Sendable {
    /// The file this object maps.
    public let url: URL
    /// Every tensor in the state dict, by name; `byteRange` is its storage's bytes in the file.
    public let tensors: [String: TensorInfo]
    /// How messages name this file, e.g. "checkpoint step3000/pytorch_model.bin".
    public let context: String

    private let file: MappedFile
    private let layouts: [String: TorchArchive.Tensor]

    /// Opens and validates `url`; messages name the file by its path.
    public convenience init(url: URL) throws(CheckpointError) {
        try self.init(url: url, context: "PyTorch checkpoint \(url.path)")
    }

    /// Opens and validates `url`; messages begin with `context`.
    public init(url: URL, context: String) throws(CheckpointError) {
        self.url = url
        self.context = context
        file = try MappedFile(url, context: context, minimumSize: 22, what: "a ZIP archive (22 bytes at least)")
        let archive = try TorchArchive(file.bytes, context: context)
        layouts = archive.tensors
        tensors = archive.tensors.mapValues(\.info)
    }

    /// Tensor names in sorted order.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// The state-dict entry for `name`.
    public func info(_ name: String) throws(CheckpointError) -> TensorInfo {
        guard let info = tensors[name] else {
            throw CheckpointError(.tensorNotFound,
                "\(context): no tensor named \(name) (the file holds \(tensors.count) tensors)")
        }
        return info
    }

    /// A 2-D floating-point tensor as a row-major Float32 matrix (transposed views gathered).
    public func matrix(_ name: String) throws(CheckpointError) -> Matrix<Float> {
        let info = try info(name)
        guard info.shape.count == 2 else {
            throw CheckpointError(.notAMatrix,
                "\(context): tensor \(name) has shape [\(info.shape.map(String.init).joined(separator: ", "))] "
                + "(\(info.shape.count)-D), not a 2-D matrix")
        }
        let values = try floats(name)
        do {
            return try Matrix(rows: info.shape[0], columns: info.shape[1], storage: values)
        } catch {
            throw CheckpointError(.sizeMismatch, "\(context): tensor \(name): \(error.message)")
        }
    }

    /// A floating-point tensor of any rank, flattened row-major, as Float32.
    public func tensor(_ name: String) throws(CheckpointError) -> (shape: [Int], values: [Float]) {
        let info = try info(name)
        return (info.shape, try floats(name))
    }

    private func floats(_ name: String) throws(CheckpointError) -> [Float] {
        guard let tensor = layouts[name] else { throw CheckpointError(.tensorNotFound, "\(context): no tensor named \(name)") }
        let info = tensor.info
        guard info.dtype.isReadableAsFloat else {
            throw CheckpointError(.unsupportedDType,
                "\(context): tensor \(name) is \(info.dtype.rawValue); only F64, F32, F16 and BF16 tensors can be read as Float32")
        }
        let values = tensor.floats(in: file.bytes)
        file.evict(info.byteRange)
        return values
    }
}
