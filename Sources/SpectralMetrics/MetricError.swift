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
    /// The metric that could not be computed, as results store it ("alpha_req"), when the
    /// error is about one metric rather than the spectrum as a whole.
    public let metric: String?

    public init(_ code: Code, _ message: String, metric: String? = nil) {
        self.code = code
        self.message = message
        self.metric = metric
    }

    public var description: String { message }
}
