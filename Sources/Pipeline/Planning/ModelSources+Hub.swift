import Checkpoints
import Foundation
import Hub
import Jobs

extension ModelSources {
    /// `--family hub --model ORG/NAME[@REVISION]`: any Hub repository. Without a revision,
    /// every branch but `main` whose name carries a step (see `BranchName`), narrowed by
    /// `--steps`; with one, that checkpoint alone. The layer count and width come from the
    /// revision's config.json, read from the hub cache or fetched on its own.
    static func hub(_ spec: String, selection: StepSelection?, tokensPerStep: Int?,
                    environment: [String: String]) throws -> PlannedModel {
        let parts = spec.split(separator: "@", maxSplits: 1).map(String.init)
        let repo = parts[0]
        let downloader: HubDownloader
        do {
            downloader = try HubDownloader.fromEnvironment(environment)
        } catch {
            throw PipelineError(.invalidArgument, error.message)
        }
        var revisions: [RevisionInfo]
        do {
            if parts.count == 2 {
                // One checkpoint (a final or post-trained model): its name may still say its step.
                let parsed = BranchName.parse(parts[1])
                let tokens = parsed?.tokens ?? tokensPerStep.flatMap { perStep in
                    parsed.map { $0.step.multipliedReportingOverflow(by: perStep) }.flatMap { $0.overflow ? nil : $0.partialValue }
                } ?? 0
                revisions = [RevisionInfo(name: parts[1], step: parsed?.step ?? 0, tokens: tokens, repo: repo)]
            } else {
                revisions = try HubRevisions.list(repo, downloader: downloader, tokensPerStep: tokensPerStep)
            }
        } catch {
            throw PipelineError(.badInput, "--model \(spec): \(error.message)")
        }
        if let selection, parts.count == 1 {
            do {
                revisions = try selection.select(from: revisions)
            } catch {
                throw PipelineError(.invalidArgument, "--steps for \(repo): \(error.message)")
            }
        }
        guard let last = revisions.last else {
            throw PipelineError(.invalidArgument, "--model \(spec): no revision selected")
        }
        let config: ModelConfig
        do {
            config = try downloader.config(repo: repo, revision: last.name)
        } catch let error as CheckpointError {
            throw PipelineError(.badInput, "--model \(spec): \(error.message)")
        }
        return PlannedModel(
            name: repo, family: "hub", architecture: config.architecture.rawValue,
            layerCount: config.layerCount, hiddenSize: config.hiddenSize, source: repo,
            revisions: revisions.map {
                PlannedModel.Revision(name: $0.name, step: Int64($0.step), tokens: Int64($0.tokens),
                                      checkpoint: CheckpointArguments(checkpoint: nil, repo: repo, model: repo, revision: $0.name),
                                      location: "hf://\(repo)@\($0.name)")
            })
    }
}
