/// How a sequence's token-level hidden states become one row of a representation matrix
/// (docs/metrics.md): the last non-padding token, or the mean over the sequence's tokens.
public enum Pooling: String, Sendable, CaseIterable, Codable {
    case last
    case mean
}
