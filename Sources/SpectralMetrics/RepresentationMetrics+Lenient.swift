extension RepresentationMetrics {
    /// The representation metrics with α-ReQ optional: what a pipeline stores for a
    /// spectrum whose fit range holds zeros, alongside the reason the fit was refused.
    public struct Lenient: Sendable, Equatable {
        public var rankme: Double
        public var rankmeGarrido: Double?
        public var alphaReq: Double?
        public var participationRatio: Double
        public var stableRank: Double
        public var renyiEntropy1: Double?
        public var renyiEntropy2: Double?

        init(rankme: Double, participationRatio: Double, stableRank: Double) {
            self.rankme = rankme
            self.participationRatio = participationRatio
            self.stableRank = stableRank
        }

        public init(_ report: RepresentationReport) {
            rankme = report.rankme
            rankmeGarrido = report.rankmeGarrido
            alphaReq = report.alphaReq
            participationRatio = report.participationRatio
            stableRank = report.stableRank
            renyiEntropy1 = report.renyiEntropy1
            renyiEntropy2 = report.renyiEntropy2
        }
    }

    /// Every metric but α-ReQ (left nil); each of them still an error when it cannot be computed.
    public static func withoutAlpha(eigenvalues: [Double], rawSingularValues: [Double]? = nil) throws(MetricError) -> Lenient {
        var report = Lenient(rankme: try RankMe.paper(eigenvalues: eigenvalues),
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
