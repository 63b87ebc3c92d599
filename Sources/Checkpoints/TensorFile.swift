import Foundation
import LinearAlgebra

/// A file of named tensors that `CheckpointDirectory` can read from: a safetensors file or
/// a PyTorch checkpoint, each validated when opened.
public protocol TensorFile: AnyObject, Sendable {
    /// How messages name this file.
    var context: String { get }
    /// Every tensor, by name.
    var tensors: [String: TensorInfo] { get }
    /// The entry for `name`, or `tensorNotFound`.
    func info(_ name: String) throws(CheckpointError) -> TensorInfo
    /// A 2-D floating-point tensor as a row-major Float32 matrix.
    func matrix(_ name: String) throws(CheckpointError) -> Matrix<Float>
    /// A floating-point tensor of any rank, flattened row-major, as Float32.
    func tensor(_ name: String) throws(CheckpointError) -> (shape: [Int], values: [Float])
}

extension SafetensorsFile: TensorFile {}
extension TorchCheckpointFile: TensorFile {}

/// The on-disk forms of a checkpoint's weights, in the order they are preferred.
public enum WeightFormat: Sendable, CaseIterable {
    case safetensors, pytorch

    /// The single-file name: `model.safetensors` or `pytorch_model.bin`.
    public var singleFileName: String { self == .safetensors ? "model.safetensors" : "pytorch_model.bin" }
    /// The shard index name: `model.safetensors.index.json` or `pytorch_model.bin.index.json`.
    public var indexFileName: String { singleFileName + ".index.json" }

    /// Opens one file of this format.
    func open(_ url: URL, context: String) throws(CheckpointError) -> any TensorFile {
        switch self {
        case .safetensors: try SafetensorsFile(url: url, context: context)
        case .pytorch: try TorchCheckpointFile(url: url, context: context)
        }
    }
}
