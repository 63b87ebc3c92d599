/// A metric that cannot be computed, with the reason; never a number standing in for one.
public struct MetricError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case tooFewValues = "too_few_values"
        case allZero = "all_zero"
        case nonFinite = "non_finite"
        case invalidArgument = "invalid_argument"
        case nonPositive = "non_positive"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
