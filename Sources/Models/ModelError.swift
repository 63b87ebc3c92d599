/// An error loading or running a transformer, with a message that names the checkpoint
/// and tensor, or the sequence and position, at fault.
public struct ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, stable across message wording changes.
    public enum Code: String, Sendable, CaseIterable {
        /// A tensor the architecture needs is not in the checkpoint.
        case missingTensor = "missing_tensor"
        /// A tensor's shape does not match the config.
        case shapeMismatch = "shape_mismatch"
        /// The config asks for something this forward pass does not implement.
        case unsupported
        /// The checkpoint could not be read (the underlying CheckpointError's message).
        case checkpoint
        /// A batch, sequence, token id or layer index the model cannot take.
        case invalidInput = "invalid_input"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
