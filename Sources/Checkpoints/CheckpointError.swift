/// Placeholder owned by the Checkpoints work in progress; replaced by the real error type.
public struct CheckpointError: Error, Sendable {
    public let message: String
}
