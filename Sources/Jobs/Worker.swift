import Foundation
import Hub
import LinearAlgebra
import Logging
import Postgres
import Queue

/// The job kinds this build of Spectra can run, and the worker process around them.
public enum Worker {
    /// The handlers, given where this worker finds the database and the artifact store
    /// (nil: the root each run was planned with).
    static func handlers(databaseURL: String, artifacts: String?, progressInterval: Double = 60,
                         store: CheckpointStore) -> [String: any JobHandler] {
        var handlers: [String: any JobHandler] = [:]
        for kind in JobKind.allCases {
            handlers[kind.rawValue] = switch kind {
            case .extract: ExtractJob(artifactOverride: artifacts, saveInterval: progressInterval, checkpoints: store)
            case .spectrum: SpectrumJob(databaseURL: databaseURL, artifactOverride: artifacts)
            case .weights: WeightsJob(checkpoints: store)
            }
        }
        return handlers
    }

    /// The database URL for a worker: the schema is migrated when this login may do so;
    /// a least-privilege login (granted `spectra_worker`) may not, and then relies on an
    /// owner having run `spectra db migrate` (an old schema stops the worker at its first
    /// claim with the reason).
    public static func databaseURL(_ database: Database, logger: Logger) throws -> String {
        let url = try database.url()
        do {
            try Schema.migrate(url: url, logger: logger)
        } catch let error as PostgresError where error.sqlState == "42501" {
            logger.info("not migrating the schema: this login may not (\(error.message)); assuming `spectra db migrate` ran")
        }
        return url
    }

    /// Runs a worker until drained or shut down by SIGTERM/SIGINT (released, not lost).
    /// `artifacts` overrides each run's artifact root; `progressInterval` is how often (s)
    /// a running extract saves the batches it has done, so a SIGKILL loses at most that much.
    /// `cacheBudget` (else SPECTRA_CACHE_BUDGET) caps the hub cache that missing revisions
    /// are downloaded into.
    public static func run(options: WorkerOptions, artifacts: String? = nil, progressInterval: Double = 60,
                           cacheBudget: String? = nil,
                           logger: Logger = Logger(label: "spectra.worker")) throws -> WorkerSummary {
        let store = try CheckpointStore.fromEnvironment(budget: cacheBudget)
        let handlers = handlers(databaseURL: options.databaseURL, artifacts: artifacts, progressInterval: progressInterval,
                                store: store)
        if let kinds = options.kinds, let unknown = kinds.first(where: { handlers[$0] == nil }) {
            throw PipelineError(.invalidArgument, "--kinds: '\(unknown)' is not a job kind this worker runs (\(JobKind.list))")
        }
        // OpenBLAS threads are process-wide: concurrent jobs each get one thread, a
        // single job gets them all.
        if options.concurrency > 1 { BLASThreads.set(1) }
        // A file-size limit (RLIMIT_FSIZE, set by a scheduler or a container) must give an
        // error the worker can retry (EFBIG), not kill it with the jobs it holds.
        signal(SIGXFSZ, SIG_IGN)
        let runtime = WorkerRuntime(options: options, handlers: handlers, logger: logger)
        let trap = SignalTrap { _ in runtime.shutdown() }
        defer { withExtendedLifetime(trap) {} }
        let summary = runtime.run()
        if let reason = summary.stoppedBy {
            throw PipelineError(.badInput, "the worker stopped: \(reason)")
        }
        return summary
    }
}
