/// Every representation metric of docs/metrics.md for one covariance spectrum.
public struct RepresentationReport: Sendable, Equatable, Codable {
    public var rankme: Double
    /// Garrido's RankMe; present when the raw singular values were given.
    public var rankmeGarrido: Double?
    public var alphaReq: Double
    public var participationRatio: Double
    public var stableRank: Double
    /// Matrix Rényi entropies of orders 1 and 2 of XXᵀ / tr(XXᵀ) (raw X); present
    /// when the raw singular values were given.
    public var renyiEntropy1: Double?
    public var renyiEntropy2: Double?
}

/// The single entry point for representation metrics.
public enum RepresentationMetrics {
    /// Computes every metric from the top-K covariance eigenvalues (descending) and,
    /// optionally, the top-K singular values of the raw, uncentered X. Any metric that
    /// cannot be computed is an error naming it, never a stand-in number.
    public static func compute(eigenvalues: [Double], rawSingularValues: [Double]? = nil,
                               alphaRanks: ClosedRange<Int> = AlphaReQ.defaultRanks) throws(MetricError) -> RepresentationReport {
        var report = RepresentationReport(
            rankme: try RankMe.paper(eigenvalues: eigenvalues),
            rankmeGarrido: nil,
            alphaReq: try AlphaReQ.fit(eigenvalues: eigenvalues, ranks: alphaRanks),
            participationRatio: try ParticipationRatio.compute(eigenvalues: eigenvalues),
            stableRank: try StableRank.compute(eigenvalues: eigenvalues))
        if let sigma = rawSingularValues {
            report.rankmeGarrido = try RankMe.garrido(singularValues: sigma)
            report.renyiEntropy1 = try RenyiEntropy.compute(singularValues: sigma, order: 1)
            report.renyiEntropy2 = try RenyiEntropy.compute(singularValues: sigma, order: 2)
        }
        return report
    }
}
