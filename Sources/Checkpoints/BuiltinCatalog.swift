/// The revision lists of public model families Spectra knows without a network: Pythia
/// (and its deduped twins), OLMo and OLMo-2, each size with its depth, width and class.
///
/// ```swift
/// let pythia = try BuiltinCatalog.named("pythia-160m")
/// pythia.revisions.count   // 154: step0, step1, 2, 4, …, 512, step1000 … step143000
/// ```
public struct BuiltinCatalog: Sendable, Equatable {
    /// The short name users type ("pythia-160m", "olmo-1b", "olmo2-7b").
    public let name: String
    /// "pythia", "olmo" or "olmo2".
    public let family: String
    /// The Hugging Face repository ("EleutherAI/pythia-160m").
    public let repo: String
    public let architecture: Architecture
    public let layerCount: Int
    public let hiddenSize: Int
    /// Tokens in one optimizer step (sequences × sequence length).
    public let tokensPerStep: Int
    /// Every published revision, in training order.
    public let revisions: [RevisionInfo]
    /// Where the numbers come from, for `spectra fetch --list` and the README.
    public let source: String

    /// Every built-in catalog, Pythia first, each family by size.
    public static let all: [BuiltinCatalog] = pythia + olmo + olmo2

    /// The catalog called `name` (case-insensitive; "EleutherAI/pythia-160m" works too).
    public static func named(_ name: String) throws(CheckpointError) -> BuiltinCatalog {
        let key = name.lowercased()
        if let match = all.first(where: { $0.name == key || $0.repo.lowercased() == key }) {
            return match
        }
        throw CheckpointError(.unknownModel,
            "no built-in catalog for model \"\(name)\" (known: \(all.map(\.name).joined(separator: ", ")))")
    }

    /// The catalogs of one family ("pythia", "olmo", "olmo2").
    public static func family(_ family: String) -> [BuiltinCatalog] {
        all.filter { $0.family == family.lowercased() }
    }

    /// The revision called `name`, if published.
    public func revision(named name: String) -> RevisionInfo? {
        revisions.first { $0.name == name }
    }
}
