import ArgumentParser
import Hub
import Foundation
import Pipeline
import Jobs
import Queue

/// `spectra work`: a worker.
struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Claim and run jobs. SIGTERM or SIGINT: stop claiming, release running jobs with their progress, exit 0.")

    @Option(help: "Jobs run at once, each on its own thread and connection.")
    var concurrency: Int = 1

    @Option(parsing: .upToNextOption, help: "Only claim these job kinds.")
    var kinds: [JobKind] = []

    @Option(help: "Jobs each slot claims at once and runs in turn, each under its own heartbeated lease.")
    var batch: Int = 1

    @Flag(help: "Exit once no job is left that could still need a worker.")
    var drain = false

    @Option(help: "Lease length in seconds; heartbeats go out every third of it.")
    var leaseSeconds: Double = 60

    @Option(help: "Seconds running jobs get to save progress after SIGTERM before they are released.")
    var grace: Double = 25

    @Option(help: "Worker identity stored in leased_by and result rows (default host:pid, or SPECTRA_WORKER_NAME). Launchers pass the scheduler's ids, e.g. slurm-1234_7.r2.")
    var name: String?

    @Option(help: "Exit status after a SIGTERM/SIGINT stopped the worker before it drained (default 0). Kubernetes Indexed Jobs pass 143, so a preempted pod fails (and podFailurePolicy ignores it) instead of marking its index done.")
    var interruptedExitCode: Int32 = 0

    @Option(help: "The artifact store's root as this node mounts it (default: SPECTRA_ARTIFACTS, else the root each run was planned with).")
    var artifacts: String?

    @Option(help: "Seconds between progress saves of a running extract job (a SIGKILL loses at most this much; SIGTERM always saves).")
    var progressInterval: Double = 60

    @Option(help: "Cap on this node's hub cache (e.g. 500G, 1.5T; default SPECTRA_CACHE_BUDGET, else none). Revisions a job needs and the cache lacks are downloaded by the worker (unless HF_HUB_OFFLINE=1); to stay under the cap it evicts the least recently used revisions no running job holds.")
    var cacheBudget: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let cacheBudget {
            do { _ = try CheckpointStore.parseSize(cacheBudget, setting: "--cache-budget") } catch { throw ValidationError(error.message) }
        }
        try checkRange(concurrency, OptionLimits.concurrency, "--concurrency")
        try checkRange(batch, OptionLimits.claimBatch, "--batch")
        try checkRange(leaseSeconds, OptionLimits.leaseSeconds, "--lease-seconds")
        guard (0...255).contains(interruptedExitCode) else { throw ValidationError("--interrupted-exit-code must be 0 to 255") }
        try checkRange(grace, OptionLimits.seconds, "--grace")
        if let name, name.isEmpty || name.count > 200 {
            throw ValidationError("--name must be 1 to 200 characters")
        }
        try checkRange(progressInterval, OptionLimits.seconds, "--progress-interval")
    }

    func run() throws {
        let logger = common.logger("spectra.worker")
        var options = WorkerOptions(databaseURL: try Worker.databaseURL(common.database(logger), logger: logger))
        if let name = name ?? ProcessInfo.processInfo.environment["SPECTRA_WORKER_NAME"].flatMap({ $0.isEmpty ? nil : $0 }) {
            options.name = name
        }
        options.concurrency = concurrency
        options.kinds = kinds.isEmpty ? nil : kinds.map(\.rawValue)
        options.claimBatch = batch
        options.drain = drain
        options.leaseSeconds = leaseSeconds
        options.gracePeriodSeconds = grace
        let store = artifacts ?? ProcessInfo.processInfo.environment["SPECTRA_ARTIFACTS"].flatMap { $0.isEmpty ? nil : $0 }
        let summary = try Worker.run(options: options, artifacts: store, progressInterval: progressInterval,
                                     cacheBudget: cacheBudget, logger: logger)
        print("completed \(summary.completed), failed \(summary.failed), released \(summary.released), lost \(summary.lost), infrastructure faults \(summary.infrastructureFaults)")
        if summary.interrupted && interruptedExitCode != 0 { throw ExitCode(interruptedExitCode) }
    }
}
