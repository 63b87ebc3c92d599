import Jobs
import Checkpoints
import Foundation

/// Where a planned model sits in a post-training lineage (stored in spectra.lineage_stages).
struct LineageStage: Sendable, Codable, Equatable {
    var lineage: String
    /// 0 for the base, then 1, 2, … in training order.
    var position: Int
    var label: String
    /// A gated repository: downloading it needs HF_TOKEN.
    var gated: Bool
    var repo: String?
}

/// Turns `--lineage NAME` (a built-in lineage) or `--lineage FILE.json` into one planned
/// model per stage, each with the single revision of that stage, refusing lineages whose
/// stages cannot be compared by depth.
public enum LineageSource {
    static func resolve(_ lineage: String) throws -> [PlannedModel] {
        if lineage.hasSuffix(".json") || FileManager.default.fileExists(atPath: lineage) {
            return try LineageFile.load(path: lineage).plannedModels()
        }
        let builtin: BuiltinLineage
        do {
            builtin = try BuiltinLineage.named(lineage)
        } catch {
            throw PipelineError(.invalidArgument, "--lineage \(lineage): \(error.message)")
        }
        return builtin.stages.enumerated().map { position, stage in
            PlannedModel(
                name: stage.modelName, family: builtin.family, architecture: stage.architecture,
                layerCount: stage.layerCount, hiddenSize: stage.hiddenSize, source: stage.repo,
                revisions: [stageRevision(name: stage.revision, model: stage.modelName,
                                          checkpoint: CheckpointArguments(checkpoint: nil, repo: stage.repo, model: stage.modelName,
                                                                          revision: stage.revision),
                                          location: "hf://\(stage.repo)@\(stage.revision)")],
                stage: LineageStage(lineage: builtin.name, position: position, label: stage.label, gated: stage.gated, repo: stage.repo))
        }
    }

    /// A stage's checkpoint: its step and tokens are unknown (post-training has no place on
    /// the pretraining token axis), so planning records 0 for a new checkpoint and keeps
    /// what a pretraining run recorded for one that exists (a base that is a series' last revision).
    static func stageRevision(name: String, model: String, checkpoint: CheckpointArguments, location: String) -> PlannedModel.Revision {
        PlannedModel.Revision(name: name, step: 0, tokens: 0, checkpoint: checkpoint, location: location, keepsRecordedProgress: true)
    }

    /// Stages must share architecture, depth and width: the comparison pairs them by
    /// hidden-state index and depth bin. The error names the first stage that differs.
    static func checkComparable(_ models: [PlannedModel], lineage: String) throws {
        guard let base = models.first else { return }
        for model in models.dropFirst() {
            guard model.architecture == base.architecture, model.layerCount == base.layerCount,
                  model.hiddenSize == base.hiddenSize else {
                let label = model.stage?.label ?? model.name
                throw PipelineError(.badInput,
                    "lineage \(lineage): stage \(label) (\(model.source)) is \(model.architecture), \(model.layerCount) layers × \(model.hiddenSize), "
                    + "but stage \(base.stage?.label ?? base.name) is \(base.architecture), \(base.layerCount) layers × \(base.hiddenSize); "
                    + "stages of different architectures or widths cannot be compared by depth")
            }
        }
    }

    /// Planning for real needs HF_TOKEN when a stage is gated: without it no worker or
    /// `spectra fetch` can download the stage, and every job of it would fail.
    static func checkGated(_ models: [PlannedModel], environment: [String: String]) throws {
        let token = environment["HF_TOKEN"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard token.isEmpty, let gated = models.first(where: { $0.stage?.gated == true }), let stage = gated.stage else { return }
        throw PipelineError(.invalidArgument,
            "lineage \(stage.lineage): stage \(stage.label) (\(stage.repo ?? gated.source)) is gated on the Hugging Face Hub; "
            + "set HF_TOKEN to a token of an account that accepted its licence (the workers that download it need it too)")
    }

    /// The line a dry run adds for gated stages.
    static func gatedNotes(_ models: [PlannedModel]) -> [String] {
        models.compactMap { model in
            guard let stage = model.stage, stage.gated else { return nil }
            return "  note: stage \(stage.label) (\(stage.repo ?? model.source)) is gated: set HF_TOKEN before planning and downloading"
        }
    }
}

extension LineageSource {
    /// Reads a lineage file the way `plan --lineage FILE.json` does, up to (not including)
    /// the database: one line per stage, "LABEL: ARCHITECTURE, LAYERS × WIDTH". What the
    /// fuzz target calls (docs/fuzzing.md).
    public static func stageSummaries(lineageFile path: String) throws -> [String] {
        try LineageFile.load(path: path).plannedModels().map { model in
            "\(model.stage?.label ?? model.name): \(model.architecture), \(model.layerCount) × \(model.hiddenSize)"
        }
    }

    /// What `spectra lineages` prints: each built-in lineage with its stages in order.
    public static func listing() -> String {
        var lines: [String] = []
        for lineage in BuiltinLineage.all {
            guard let first = lineage.stages.first else { continue }
            lines.append("\(lineage.name)  (\(first.architecture), \(first.layerCount) layers × \(first.hiddenSize))")
            for (position, stage) in lineage.stages.enumerated() {
                lines.append("  \(position)  \(stage.label.padding(toLength: 5, withPad: " ", startingAt: 0))  \(stage.repo)@\(stage.revision)"
                             + (stage.gated ? "  (gated: needs HF_TOKEN)" : ""))
            }
            lines.append("  source: \(lineage.source)")
        }
        lines.append("Plan one with: spectra plan --lineage NAME --probe FILE [--dry-run]; your own: --lineage FILE.json")
        return lines.joined(separator: "\n")
    }
}
