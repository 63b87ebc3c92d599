import Checkpoints
import Foundation
import Queue

/// The checkpoint part of a job's `args`: a directory (local series, or a path a run was
/// planned with), or a Hugging Face repository and revision found in the worker's hub cache.
struct CheckpointArguments: Codable, Sendable, Equatable {
    var checkpoint: String?
    var repo: String?
    var model: String
    var revision: String

    /// Opens the checkpoint; a revision missing from this worker's storage is bad input
    /// that names the model, revision and where it was looked for.
    func open(hubCache: HubCache = HubCache(root: HubCache.defaultRoot())) throws -> CheckpointDirectory {
        let directory: URL
        if let checkpoint {
            directory = URL(fileURLWithPath: checkpoint, isDirectory: true)
        } else if let repo {
            do {
                directory = try hubCache.snapshotDirectory(model: repo, revision: revision)
            } catch {
                throw JobInputError("\(model) \(revision): \(error.message)")
            }
        } else {
            throw JobInputError("\(model) \(revision): the job names neither a checkpoint directory nor a hub repository")
        }
        do {
            return try CheckpointDirectory(url: directory)
        } catch {
            throw JobInputError("\(model) \(revision): \(error.message)")
        }
    }
}

/// The `args` of an extract job (see docs: the artifact contract). Spectrum jobs carry the
/// same object; they read only the checkpoint names and the artifact root from it.
struct ExtractArguments: Codable, Sendable, Equatable {
    var checkpoint: String?
    var repo: String?
    var model: String
    var revision: String
    var layers: [Int]
    var poolings: [String]
    var probe: ProbeSpec
    var batch: Int
    /// The artifact store's root when the run was planned.
    var artifacts: String

    var checkpointArguments: CheckpointArguments {
        CheckpointArguments(checkpoint: checkpoint, repo: repo, model: model, revision: revision)
    }

    static func decode(_ job: ClaimedJob) throws -> ExtractArguments {
        do {
            return try JSONDecoder().decode(ExtractArguments.self, from: Data(job.args.utf8))
        } catch {
            throw JobInputError("\(job.label): arguments are not an extract job's: \(error)")
        }
    }

    func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
