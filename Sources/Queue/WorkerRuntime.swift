import Dispatch
import Foundation
import Logging
import Postgres
import Synchronization

/// A worker process: `concurrency` slot threads that claim, run and complete jobs, and
/// one heartbeat thread that keeps their leases alive. Stops claiming on `shutdown()`,
/// lets running jobs save progress for the grace period, releases what is left and
/// returns.
public final class WorkerRuntime: Sendable {
    public let options: WorkerOptions
    let handlers: [String: any JobHandler]
    let queue: JobQueue
    let logger: Logger
    let active = Mutex<[Int64: JobContext]>([:])
    let stopping = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    let summary = Mutex(WorkerSummary())

    public init(options: WorkerOptions, handlers: [String: any JobHandler], logger: Logger) {
        self.options = options
        self.handlers = handlers
        self.queue = JobQueue(leaseSeconds: options.leaseSeconds)
        self.logger = logger
    }

    /// Asks the worker to stop: no new claims; running jobs see `isCancelled`.
    public func shutdown() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        logger.info("shutdown requested: no new claims, running jobs get \(Int(options.gracePeriodSeconds)) s to save progress")
        active.withLock { jobs in
            for context in jobs.values { context.state.withLock { $0.shutdownRequested = true } }
        }
    }

    /// Stops the whole worker because of an error that every job would meet; the
    /// summary carries the reason.
    func stop(because reason: String) {
        logger.error("stopping: \(reason)")
        summary.withLock { if $0.stoppedBy == nil { $0.stoppedBy = reason } }
        shutdown()
    }

    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Runs until drained (with `drain`) or shut down; returns what was done.
    public func run() -> WorkerSummary {
        let kinds = options.kinds ?? handlers.keys.sorted()
        let slots = DispatchGroup()
        for slot in 0..<max(1, options.concurrency) {
            slots.enter()
            let thread = Thread { [self] in
                var worker = WorkerSlot(runtime: self, index: slot, kinds: kinds)
                worker.run()
                slots.leave()
            }
            thread.name = "spectra-worker-\(slot)"
            thread.start()
        }
        let heartbeat = Thread { [self] in
            var heartbeater = Heartbeater(runtime: self)
            heartbeater.run()
        }
        heartbeat.name = "spectra-heartbeat"
        heartbeat.start()

        // Slots return on their own when drained; after a shutdown they get the grace
        // period, then whatever still runs is released from here.
        while slots.wait(timeout: .now() + 0.2) == .timedOut {
            if isStopping {
                if slots.wait(timeout: .now() + options.gracePeriodSeconds) == .timedOut {
                    releaseAbandoned()
                }
                break
            }
        }
        finished.store(true, ordering: .sequentiallyConsistent)
        let interrupted = isStopping
        return summary.withLock {
            $0.interrupted = interrupted && $0.stoppedBy == nil
            return $0
        }
    }

    /// Releases, from the main thread, the jobs whose handlers did not stop within the
    /// grace period; their slots can no longer write (the lease is finished).
    func releaseAbandoned() {
        let leftovers = active.withLock { Array($0.values.map { $0 }) }
        guard !leftovers.isEmpty else { return }
        guard let connection = try? Connection(url: options.databaseURL, connectTimeout: 5) else {
            logger.error("could not reach the database to release \(leftovers.count) job(s); their leases will expire and be reaped")
            return
        }
        for context in leftovers {
            let (job, progress): (ClaimedJob?, String?) = context.state.withLock { state in
                state.releasedByRuntime = true
                state.tracker.apply(.finished)
                return (state.job, state.progress)
            }
            guard let job else { continue }
            let ok = (try? queue.release(on: connection, jobID: job.id, token: job.leaseToken, progress: progress)) ?? false
            summary.withLock { $0.released += 1 }
            logger.warning("grace period over: released \(job.label)\(ok ? "" : " (lease already gone)")",
                           metadata: ["job": "\(job.id)"])
        }
    }

    func register(_ job: ClaimedJob, context: JobContext) {
        context.state.withLock {
            $0.job = job
            $0.shutdownRequested = isStopping
        }
        active.withLock { $0[job.id] = context }
    }

    func unregister(_ job: ClaimedJob) {
        _ = active.withLock { $0.removeValue(forKey: job.id) }
    }

    /// Seconds on a monotonic clock, for lease scheduling only.
    static func monotonicNow() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
