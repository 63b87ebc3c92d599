import Checkpoints
import Foundation

/// The training revisions of any Hub repository, from its branch listing
/// (`GET /api/models/ORG/NAME/refs`): every branch but `main`, with the step and tokens its
/// name carries, in training order. What `spectra plan --family hub` and `spectra fetch`
/// use for a model that has no built-in catalog.
public enum HubRevisions {
    /// The listing is a few hundred branches at most; a body larger than this is not one.
    static let maximumListingBytes = 16 << 20

    /// The branch names of `repo`, as the endpoint lists them.
    public static func branches(of repo: String, downloader: HubDownloader) throws(CheckpointError) -> [String] {
        try HubDownloader.checkRepository(repo)
        let url = downloader.endpoint.appendingPathComponent("api").appendingPathComponent("models")
            .appendingPathComponent(repo).appendingPathComponent("refs")
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("spectra-refs-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: body) }
        let outcome = HTTPTransfer.get(url, into: body, resumeFrom: 0, headers: downloader.requestHeaders,
                                       timeout: downloader.timeout)
        if let failure = outcome.failure {
            throw CheckpointError(.downloadFailed, "\(repo): listing its branches (\(url.absoluteString)) failed: \(failure)")
        }
        switch outcome.status {
        case 200: break
        case 401, 403:
            throw CheckpointError(.downloadFailed, "\(repo): \(url.absoluteString) answered \(outcome.status) "
                + (downloader.token == nil ? "(gated or private: set HF_TOKEN)" : "(HF_TOKEN was refused)"))
        case 404:
            throw CheckpointError(.notInCache, "\(repo): no such repository at \(downloader.endpoint.absoluteString)")
        default:
            throw CheckpointError(.downloadFailed, "\(repo): \(url.absoluteString) answered HTTP \(outcome.status)")
        }
        guard outcome.written <= maximumListingBytes, let data = try? Data(contentsOf: body) else {
            throw CheckpointError(.downloadFailed, "\(repo): the branch listing is unreadable or over \(maximumListingBytes) bytes")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckpointError(.downloadFailed, "\(repo): the branch listing is not a JSON object")
        }
        guard let list = root["branches"] as? [Any] else {
            throw CheckpointError(.downloadFailed, "\(repo): the branch listing has no \"branches\" array")
        }
        let names = try list.map { entry throws(CheckpointError) in
            guard let name = (entry as? [String: Any])?["name"] as? String, !name.isEmpty else {
                throw CheckpointError(.downloadFailed, "\(repo): a branch in the listing has no name")
            }
            return name
        }
        guard !names.isEmpty else { throw CheckpointError(.missingRevision, "\(repo) has no branches") }
        return names
    }

    /// Every branch of `repo` but `main` as a revision, sorted by step. Tokens come from the
    /// name, else `tokensPerStep` × step; a branch whose name carries no step, or no tokens
    /// when `tokensPerStep` is nil, is an error that names it.
    public static func list(_ repo: String, downloader: HubDownloader,
                            tokensPerStep: Int?) throws(CheckpointError) -> [RevisionInfo] {
        let names = try branches(of: repo, downloader: downloader).filter { $0 != "main" }
        guard !names.isEmpty else {
            throw CheckpointError(.missingRevision,
                "\(repo) has only a main branch: plan its final checkpoint as \(repo)@main")
        }
        return try revisions(names, repo: repo, tokensPerStep: tokensPerStep)
    }

    /// `names` read as revisions of `repo` (see `list`).
    public static func revisions(_ names: [String], repo: String, tokensPerStep: Int?) throws(CheckpointError) -> [RevisionInfo] {
        var revisions: [RevisionInfo] = [], unparsed: [String] = [], untokened: [String] = []
        for name in names {
            guard let parsed = BranchName.parse(name) else { unparsed.append(name); continue }
            if let tokens = parsed.tokens {
                revisions.append(RevisionInfo(name: name, step: parsed.step, tokens: tokens, repo: repo))
            } else if let tokensPerStep {
                let (tokens, overflow) = parsed.step.multipliedReportingOverflow(by: tokensPerStep)
                guard !overflow else {
                    throw CheckpointError(.invalidStepSelection,
                        "\(repo)@\(name): step \(parsed.step) × --tokens-per-step \(tokensPerStep) overflows 64 bits")
                }
                revisions.append(RevisionInfo(name: name, step: parsed.step, tokens: tokens, repo: repo))
            } else {
                untokened.append(name)
            }
        }
        guard unparsed.isEmpty else {
            throw CheckpointError(.malformedCatalog,
                "\(repo): cannot read a training step from branch(es) \(Self.listing(unparsed)); "
                + "plan such a checkpoint on its own as \(repo)@BRANCH")
        }
        guard untokened.isEmpty else {
            throw CheckpointError(.malformedCatalog,
                "\(repo): branch(es) \(Self.listing(untokened)) carry a step but no token count; "
                + "give --tokens-per-step N (the run's tokens per optimizer step)")
        }
        return revisions.sorted { ($0.step, $0.name) < ($1.step, $1.name) }
    }

    private static func listing(_ names: [String]) -> String {
        let shown = names.sorted().prefix(10).joined(separator: ", ")
        return names.count > 10 ? "\(shown) and \(names.count - 10) more" : shown
    }
}
