/// An error from a linear-algebra routine, with a code a caller can switch on.
public struct LinearAlgebraError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case shapeMismatch = "shape_mismatch"
        case emptyMatrix = "empty_matrix"
        case nonFinite = "non_finite"
        case lapackFailure = "lapack_failure"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
