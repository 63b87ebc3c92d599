import Jobs
import Checkpoints
import Foundation

/// Turns a plan request's models into planned models with their selected revisions:
/// built-in catalogs for `pythia`, `olmo` and `olmo2` (checkpoints found by workers in
/// their hub cache), any Hub repository's branches for `hub`, series directories with a
/// `catalog.json` for `local`.
enum ModelSources {
    static let families = ["pythia", "olmo", "olmo2", "hub", "local"]

    static func resolve(_ request: PlanRequest) throws -> [PlannedModel] {
        var selection: StepSelection?
        if let steps = request.steps {
            do {
                selection = try StepSelection.parse(steps)
            } catch {
                throw PipelineError(.invalidArgument, "--steps: \(error.message)")
            }
        }
        let stages = try request.lineage.map(LineageSource.resolve) ?? []
        if request.models.isEmpty { return stages }
        return try models(request, selection: selection) + stages
    }

    static func models(_ request: PlanRequest, selection: StepSelection?) throws -> [PlannedModel] {
        switch request.family {
        case "local":
            return try request.models.map { path in
                var model = try PlannedModel.localSeries(directory: path)
                if let selection { model.revisions = try pick(model.revisions, selection, model: model.name) }
                return model
            }
        case "hub":
            return try request.models.map {
                try hub($0, selection: selection, tokensPerStep: request.tokensPerStep, environment: request.environment)
            }
        case "pythia", "olmo", "olmo2":
            return try request.models.map { try builtin($0, family: request.family, selection: selection) }
        default:
            throw PipelineError(.invalidArgument,
                "--family \(request.family): not a known family (\(families.joined(separator: ", ")))")
        }
    }

    static func builtin(_ name: String, family: String, selection: StepSelection?) throws -> PlannedModel {
        let catalog: BuiltinCatalog
        do {
            catalog = try BuiltinCatalog.named(name)
        } catch {
            throw PipelineError(.invalidArgument, "--model \(name): \(error.message)")
        }
        guard catalog.family == family else {
            throw PipelineError(.invalidArgument, "--model \(name) belongs to family \(catalog.family), not \(family)")
        }
        var chosen = catalog.revisions
        if let selection {
            do {
                chosen = try selection.select(from: chosen)
            } catch {
                throw PipelineError(.invalidArgument, "--steps for \(catalog.name): \(error.message)")
            }
        }
        return PlannedModel(
            name: catalog.name, family: catalog.family, architecture: catalog.architecture.rawValue,
            layerCount: catalog.layerCount, hiddenSize: catalog.hiddenSize, source: catalog.repo,
            revisions: chosen.map {
                PlannedModel.Revision(name: $0.name, step: Int64($0.step), tokens: Int64($0.tokens),
                                      checkpoint: CheckpointArguments(checkpoint: nil, repo: catalog.repo, model: catalog.name, revision: $0.name),
                                      location: "hf://\(catalog.repo)@\($0.name)")
            })
    }

    /// A local series' revisions narrowed by `--steps`.
    static func pick(_ revisions: [PlannedModel.Revision], _ selection: StepSelection, model: String) throws -> [PlannedModel.Revision] {
        let infos = revisions.map { RevisionInfo(name: $0.name, step: Int($0.step), tokens: Int($0.tokens), repo: model) }
        let chosen: Set<String>
        do {
            chosen = Set(try selection.select(from: infos).map(\.name))
        } catch {
            throw PipelineError(.invalidArgument, "--steps for \(model): \(error.message)")
        }
        return revisions.filter { chosen.contains($0.name) }
    }
}
