import Foundation
import Logging
import Postgres

/// Keeps the leases of a worker's running jobs alive from one thread with its own
/// connection, so a slot busy in a long BLAS call never misses a heartbeat.
struct Heartbeater {
    let runtime: WorkerRuntime
    var connection: Connection?

    init(runtime: WorkerRuntime) {
        self.runtime = runtime
    }

    mutating func run() {
        while !runtime.finished.load(ordering: .sequentiallyConsistent) {
            let now = WorkerRuntime.monotonicNow()
            let due = runtime.active.withLock { jobs in
                jobs.values.filter { context in context.state.withLock { $0.tracker.heartbeatDue(now: now) } }
            }
            for context in due { beat(context) }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    mutating func beat(_ context: JobContext) {
        let (job, progress) = context.state.withLock { ($0.job, $0.progress) }
        guard let job else { return }
        let now = WorkerRuntime.monotonicNow()
        do {
            if connection == nil || connection?.isHealthy == false {
                connection = try Connection(url: runtime.options.databaseURL, connectTimeout: 5)
            }
            let held = try runtime.queue.heartbeat(on: connection!, jobID: job.id, token: job.leaseToken, progress: progress)
            context.state.withLock { $0.tracker.apply(held ? .heartbeatConfirmed(at: now) : .heartbeatRejected) }
            if !held { context.logger.warning("lease lost for \(job.label): the database rejected the heartbeat") }
        } catch {
            connection = nil
            context.state.withLock { $0.tracker.apply(.heartbeatFailed(at: now, error: "\(error)")) }
        }
    }
}
