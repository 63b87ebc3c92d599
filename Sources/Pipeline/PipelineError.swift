/// An error of planning, running or aggregating, with a message a user can act on.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case badInput = "bad_input"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
