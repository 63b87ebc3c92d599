import SpectraBase
import Checkpoints
import Foundation
import Hub
import Queue

/// The checkpoint part of a job's `args`: a directory (local series, or a path a run was
/// planned with), or a Hugging Face repository and revision found in the worker's hub cache.
package struct CheckpointArguments: Codable, Sendable, Equatable {
    package var checkpoint: String?
    package var repo: String?
    package var model: String
    package var revision: String

    package init(checkpoint: String?, repo: String?, model: String, revision: String) {
        (self.checkpoint, self.repo, self.model, self.revision) = (checkpoint, repo, model, revision)
    }

    /// Opens the checkpoint through the worker's store: a hub revision this node lacks is
    /// downloaded first (within the store's budget) and held until `lease.release()`.
    package func open(store: CheckpointStore) throws -> (CheckpointDirectory, CheckpointLease?) {
        guard checkpoint == nil, let repo else { return (try open(hubCache: store.cache), nil) }
        let lease: CheckpointLease
        do {
            lease = try store.acquire(repo: repo, revision: revision)
        } catch let error as CheckpointError {
            throw JobInputError("\(model) \(revision): \(error.message)")
        }
        do {
            return (try CheckpointDirectory(url: lease.snapshot), lease)
        } catch {
            lease.release()
            throw JobInputError("\(model) \(revision): \(error.message)")
        }
    }

    /// Opens the checkpoint; a revision missing from this worker's storage is bad input
    /// that names the model, revision and where it was looked for.
    package func open(hubCache: HubCache = HubCache(root: HubCache.defaultRoot())) throws -> CheckpointDirectory {
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
package struct ExtractArguments: Codable, Sendable, Equatable {
    package var checkpoint: String?
    package var repo: String?
    package var model: String
    package var revision: String
    package var layers: [Int]
    package var poolings: [String]
    package var probe: ProbeSpec
    package var batch: Int
    /// The artifact store's root when the run was planned.
    package var artifacts: String

    package init(checkpoint: String?, repo: String?, model: String, revision: String, layers: [Int], poolings: [String],
                 probe: ProbeSpec, batch: Int, artifacts: String) {
        (self.checkpoint, self.repo, self.model, self.revision) = (checkpoint, repo, model, revision)
        (self.layers, self.poolings, self.probe, self.batch, self.artifacts) = (layers, poolings, probe, batch, artifacts)
    }

    package var checkpointArguments: CheckpointArguments {
        CheckpointArguments(checkpoint: checkpoint, repo: repo, model: model, revision: revision)
    }

    package static func decode(_ job: ClaimedJob) throws -> ExtractArguments {
        do {
            return try JSONDecoder().decode(ExtractArguments.self, from: Data(job.args.utf8))
        } catch {
            throw JobInputError("\(job.label): arguments are not an extract job's: \(error)")
        }
    }

    package func jsonText() -> String {
        (try? CanonicalJSON.text(self)) ?? "{}"
    }
}
