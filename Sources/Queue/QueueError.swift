/// Placeholder owned by the Queue work in progress.
public struct QueueError: Error, Sendable {
    public let message: String
}
