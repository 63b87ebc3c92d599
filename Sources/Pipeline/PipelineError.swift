/// Placeholder owned by the Pipeline work in progress.
public struct PipelineError: Error, Sendable {
    public let message: String
}
