/// How a covariance spectrum is computed.
public enum SpectrumMethod: String, Sendable, Codable, CaseIterable {
    case exact
    case randomized
    /// Chosen by `SpectrumCostModel` from the shape, the rank and memory.
    case auto
}
