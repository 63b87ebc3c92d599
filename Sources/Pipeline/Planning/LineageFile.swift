import Jobs
import Checkpoints
import Foundation
import SpectraBase

/// A lineage of the researcher's own, as JSON: stages in training order, each a hub
/// repository at a revision or a local checkpoint directory.
///
/// ```json
/// {"name": "my-chain", "hub_cache": "hub",
///  "stages": [{"label": "base", "repo": "spectra/tiny-olmo", "revision": "step2000"},
///             {"label": "SFT", "checkpoint": "runs/sft/final"}]}
/// ```
/// `name` defaults to the file's name; `hub_cache` (relative to the file) is where
/// `repo` stages are read from, else the default Hugging Face cache; `model` names the
/// model a stage is registered as (default: the repository's last path component, or
/// NAME-LABEL for a directory); `gated: true` marks a repository that needs HF_TOKEN.
/// Other keys (notes on how a stage was trained) are kept in the file and ignored.
struct LineageFile: Decodable {
    struct Stage: Decodable {
        var label: String?
        var repo: String?
        var revision: String?
        var checkpoint: String?
        var model: String?
        var gated: Bool?
    }

    var name: String?
    var hubCache: String?
    var stages: [Stage]?
    /// The file, for messages and relative paths.
    var path = ""

    enum CodingKeys: String, CodingKey {
        case name, stages
        case hubCache = "hub_cache"
    }

    static func load(path: String) throws -> LineageFile {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let data: Data
        do {
            data = try FileAccess.read(url.path)
        } catch {
            throw PipelineError(error.kind == .notFound ? .notFound : .badInput, "--lineage \(path): \(error.reason)")
        }
        var file: LineageFile
        do {
            file = try JSONDecoder().decode(LineageFile.self, from: data)
        } catch {
            throw PipelineError(.badInput, "lineage file \(url.path) is not a lineage: \(error)")
        }
        file.path = url.path
        return file
    }

    var lineageName: String {
        name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// One planned model per stage, in the file's order, checked for missing parts,
    /// duplicate labels and stages that cannot be compared by depth.
    func plannedModels() throws -> [PlannedModel] {
        guard let stages, stages.count >= 2 else {
            throw PipelineError(.badInput, "lineage file \(path): name at least two stages (a base and what was trained from it)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var seen: [String: Int] = [:]
        var models: [PlannedModel] = []
        for (position, stage) in stages.enumerated() {
            guard let label = stage.label?.trimmingCharacters(in: .whitespaces), !label.isEmpty else {
                throw PipelineError(.badInput, "lineage file \(path): stage \(position + 1) has no label")
            }
            if let earlier = seen[label.lowercased()] {
                throw PipelineError(.badInput,
                    "lineage file \(path): stage \(position + 1) repeats the label \(label) of stage \(earlier + 1); each stage needs its own label")
            }
            seen[label.lowercased()] = position
            models.append(try model(stage, label: label, position: position, directory: directory))
        }
        try LineageSource.checkComparable(models, lineage: lineageName)
        return models
    }

    private func model(_ stage: Stage, label: String, position: Int, directory: URL) throws -> PlannedModel {
        let context = "lineage file \(path): stage \(label)"
        let info = LineageStage(lineage: lineageName, position: position, label: label, gated: stage.gated ?? false, repo: stage.repo)
        if let checkpoint = stage.checkpoint {
            let url = URL(fileURLWithPath: checkpoint, relativeTo: directory).standardizedFileURL
            let config = try readConfig(url, context: context)
            let name = stage.model ?? "\(lineageName)-\(label)"
            return PlannedModel(
                name: name, family: "local", architecture: config.architecture.rawValue, layerCount: config.layerCount,
                hiddenSize: config.hiddenSize, source: url.path,
                revisions: [LineageSource.stageRevision(
                    name: stage.revision ?? url.lastPathComponent, model: name,
                    checkpoint: CheckpointArguments(checkpoint: url.path, repo: nil, model: name, revision: stage.revision ?? url.lastPathComponent),
                    location: url.path)],
                stage: info)
        }
        guard let repo = stage.repo else {
            throw PipelineError(.badInput, "\(context) names neither a repo (with a revision) nor a checkpoint directory")
        }
        let revision = stage.revision ?? "main"
        let name = stage.model ?? repo.split(separator: "/").last.map(String.init) ?? repo
        let explicitCache = hubCache.map { HubCache(root: URL(fileURLWithPath: $0, relativeTo: directory).standardizedFileURL) }
        let cache = explicitCache ?? HubCache(root: HubCache.defaultRoot())
        let snapshot: URL
        do {
            snapshot = try cache.snapshotDirectory(model: repo, revision: revision)
        } catch {
            throw PipelineError(.notFound, "\(context): \(error.message)")
        }
        let config = try readConfig(snapshot, context: context)
        // With the file's own cache, workers read the snapshot by path (as a local series
        // does); otherwise from their hub cache by repository and revision.
        let arguments = CheckpointArguments(checkpoint: explicitCache == nil ? nil : snapshot.path, repo: explicitCache == nil ? repo : nil,
                                            model: name, revision: revision)
        return PlannedModel(
            name: name, family: "local", architecture: config.architecture.rawValue, layerCount: config.layerCount,
            hiddenSize: config.hiddenSize, source: repo,
            revisions: [LineageSource.stageRevision(name: revision, model: name, checkpoint: arguments,
                                                    location: explicitCache == nil ? "hf://\(repo)@\(revision)" : snapshot.path)],
            stage: info)
    }

    private func readConfig(_ directory: URL, context: String) throws -> ModelConfig {
        do {
            return try ModelConfig.load(directory: directory)
        } catch {
            throw PipelineError(.badInput, "\(context): \(error.message)")
        }
    }
}
