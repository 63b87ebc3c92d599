/// Every metric Spectra stores, under the one key it has everywhere: in `results.metrics`,
/// in `spectra spectrum --json`, in the command's table, in the report, and (unless
/// `isViewColumn` says otherwise) as a column of `spectra.layer_metrics`.
public enum MetricKey: String, CaseIterable, Sendable, Codable, CodingKey {
    case rankme
    case rankmeGarrido = "rankme_garrido"
    case alphaReq = "alpha_req"
    case participationRatio = "participation_ratio"
    case stableRank = "stable_rank"
    case renyiEntropy1 = "renyi_entropy_1"
    case renyiEntropy2 = "renyi_entropy_2"
    case powerlawAlpha = "powerlaw_alpha"
    case powerlawXmin = "powerlaw_xmin"
    case powerlawKsDistance = "powerlaw_ks_distance"
    case farmsAlpha = "farms_alpha"
    case spectralNorm = "spectral_norm"
    case logNorm = "log_norm"
    case frobeniusNorm = "frobenius_norm"
    case logSpectralNorm = "log_spectral_norm"
    case alphaWeighted = "alpha_weighted"

    /// What a spectrum job stores and `spectra spectrum` reports for any matrix, in table order.
    public static let representation: [MetricKey] = [
        .rankme, .rankmeGarrido, .alphaReq, .participationRatio, .stableRank, .renyiEntropy1, .renyiEntropy2,
    ]

    /// What `spectra spectrum --weights` reports besides `representation`, in table order.
    public static let weightCommand: [MetricKey] = [
        .powerlawAlpha, .powerlawXmin, .powerlawKsDistance, .farmsAlpha, .spectralNorm, .logNorm,
    ]

    /// What a weights job stores for each weight matrix.
    public static let weightsJob: [MetricKey] = [
        .spectralNorm, .frobeniusNorm, .stableRank, .logNorm, .logSpectralNorm, .alphaWeighted,
        .powerlawAlpha, .powerlawXmin, .powerlawKsDistance, .farmsAlpha,
    ]

    /// Whether `spectra.layer_metrics` has a column of this name (the rest stay in its
    /// `metrics` JSON column).
    public var isViewColumn: Bool {
        switch self {
        case .logSpectralNorm, .alphaWeighted: false
        default: true
        }
    }

    /// How the report and the tables name the metric.
    public var label: String {
        switch self {
        case .rankme: "RankMe"
        case .alphaReq: "α-ReQ"
        case .powerlawAlpha: "power-law α"
        default: rawValue
        }
    }
}
