import Checkpoints
import Foundation

/// `spectra fetch`: download the selected revisions of a built-in model into the local
/// Hugging Face hub cache, so `HubCache` (and HF's own tools) find them offline.
public struct FetchRequest: Sendable {
    /// A built-in catalog name ("pythia-160m", "olmo2-7b") or its Hub repository, or any
    /// other repository (`ORG/NAME`, `ORG/NAME@REVISION`).
    public var model: String
    /// When given, the model must belong to this family (pythia, olmo, olmo2).
    public var family: String?
    /// A `StepSelection` specification.
    public var steps: String
    /// The hub cache to fill (default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).
    public var cache: String?
    /// Print the selection without downloading.
    public var listOnly: Bool
    /// For a repository without a built-in catalog: tokens per step where branch names carry none.
    public var tokensPerStep: Int?

    public init(model: String, family: String? = nil, steps: String, cache: String? = nil, listOnly: Bool = false,
                tokensPerStep: Int? = nil) {
        self.tokensPerStep = tokensPerStep
        self.model = model
        self.family = family
        self.steps = steps
        self.cache = cache
        self.listOnly = listOnly
    }

    /// The revisions the request selects, in training order, and a line describing where
    /// they come from: a built-in catalog, or any Hub repository's branch listing
    /// (`ORG/NAME`, or `ORG/NAME@REVISION` for one revision).
    public func selection(downloader: HubDownloader) throws -> (repo: String, about: String, revisions: [RevisionInfo]) {
        // Any other repository (ORG/NAME) is read from its branches.
        let builtin = model.contains("/") ? try? BuiltinCatalog.named(model) : try BuiltinCatalog.named(model)
        if let catalog = builtin {
            if let family, family.lowercased() != catalog.family {
                throw CheckpointError(.unknownModel,
                    "--model \(model) is a \(catalog.family) model, not --family \(family) "
                    + "(\(family) models: \(BuiltinCatalog.family(family).map(\.name).joined(separator: ", ")))")
            }
            let chosen = try StepSelection.parse(steps).select(from: catalog.revisions)
            return (catalog.repo, "\(chosen.count) of \(catalog.revisions.count) revisions "
                    + "(\(catalog.layerCount) layers, width \(catalog.hiddenSize))", chosen)
        }
        if family != nil && family?.lowercased() != "hub" {
            throw CheckpointError(.unknownModel, "--model \(model) has no built-in catalog; drop --family \(family!) to fetch it from its branches")
        }
        let parts = model.split(separator: "@", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            let parsed = BranchName.parse(parts[1])
            let revision = RevisionInfo(name: parts[1], step: parsed?.step ?? 0, tokens: parsed?.tokens ?? 0, repo: parts[0])
            return (parts[0], "1 revision", [revision])
        }
        let all = try HubRevisions.list(parts[0], downloader: downloader, tokensPerStep: tokensPerStep)
        let chosen = try StepSelection.parse(steps).select(from: all)
        return (parts[0], "\(chosen.count) of \(all.count) branches", chosen)
    }

    /// Downloads (or lists) each selected revision, reporting one line per revision.
    public func run(environment: [String: String] = ProcessInfo.processInfo.environment,
                    output: (String) -> Void) throws {
        let downloader = try HubDownloader.fromEnvironment(environment, cache: cache.map { URL(fileURLWithPath: $0) })
        let (repo, about, revisions) = try selection(downloader: downloader)
        output("\(repo): \(about) from \(downloader.endpoint.absoluteString) into \(downloader.cache.root.path)\n")
        for revision in revisions {
            let tokens = StepSelection.format(tokens: revision.tokens)
            if listOnly {
                output("\(revision.name)\tstep \(revision.step)\t\(tokens) tokens\n")
                continue
            }
            let snapshot = try downloader.download(repo: repo, revision: revision.name)
            output("\(revision.name)\tstep \(revision.step)\t\(tokens) tokens\t\(snapshot.path)\n")
        }
    }
}
