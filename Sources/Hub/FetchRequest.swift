import Checkpoints
import Foundation

/// `spectra fetch`: download the selected revisions of a built-in model into the local
/// Hugging Face hub cache, so `HubCache` (and HF's own tools) find them offline.
public struct FetchRequest: Sendable {
    /// A built-in catalog name ("pythia-160m", "olmo2-7b") or its Hub repository.
    public var model: String
    /// When given, the model must belong to this family (pythia, olmo, olmo2).
    public var family: String?
    /// A `StepSelection` specification.
    public var steps: String
    /// The hub cache to fill (default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).
    public var cache: String?
    /// Print the selection without downloading.
    public var listOnly: Bool

    public init(model: String, family: String? = nil, steps: String, cache: String? = nil, listOnly: Bool = false) {
        self.model = model
        self.family = family
        self.steps = steps
        self.cache = cache
        self.listOnly = listOnly
    }

    /// The revisions the request selects, in training order.
    public func selection() throws -> (BuiltinCatalog, [RevisionInfo]) {
        let catalog = try BuiltinCatalog.named(model)
        if let family, family.lowercased() != catalog.family {
            throw CheckpointError(.unknownModel,
                "--model \(model) is a \(catalog.family) model, not --family \(family) "
                + "(\(family) models: \(BuiltinCatalog.family(family).map(\.name).joined(separator: ", ")))")
        }
        return (catalog, try StepSelection.parse(steps).select(from: catalog.revisions))
    }

    /// Downloads (or lists) each selected revision, reporting one line per revision.
    public func run(environment: [String: String] = ProcessInfo.processInfo.environment,
                    output: (String) -> Void) throws {
        let (catalog, revisions) = try selection()
        let downloader = try HubDownloader.fromEnvironment(environment, cache: cache.map { URL(fileURLWithPath: $0) })
        output("\(catalog.repo): \(revisions.count) of \(catalog.revisions.count) revisions "
               + "(\(catalog.layerCount) layers, width \(catalog.hiddenSize)) from \(downloader.endpoint.absoluteString) "
               + "into \(downloader.cache.root.path)\n")
        for revision in revisions {
            let tokens = StepSelection.format(tokens: revision.tokens)
            if listOnly {
                output("\(revision.name)\tstep \(revision.step)\t\(tokens) tokens\n")
                continue
            }
            let snapshot = try downloader.download(repo: catalog.repo, revision: revision.name)
            output("\(revision.name)\tstep \(revision.step)\t\(tokens) tokens\t\(snapshot.path)\n")
        }
    }
}
