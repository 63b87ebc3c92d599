/// An error of planning, running or aggregating, with a message a user can act on.
public struct PipelineError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case badInput = "bad_input"
        /// The input is well-formed but of a kind this version cannot handle.
        case unsupported
        /// A linear-algebra routine failed on valid input.
        case computation
        /// A metric cannot be computed for this input (too few eigenvalues, all zero).
        case metric
        /// The machine has too little memory for the model (both numbers in the message).
        case insufficientMemory = "insufficient_memory"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
