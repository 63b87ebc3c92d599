import Foundation
import Logging
import Postgres

/// Keeps the leases of a worker's running jobs alive from one thread with its own
/// connection, so a slot busy in a long BLAS call never misses a heartbeat. The same
/// thread reaps expired leases on a timer: a SIGKILLed worker's jobs come back within
/// about a lease even while every slot is busy and no claim ever comes back empty.
struct Heartbeater {
    let runtime: WorkerRuntime
    var connection: Connection?
    var nextReap: Double

    init(runtime: WorkerRuntime) {
        self.runtime = runtime
        self.nextReap = WorkerRuntime.monotonicNow() + Self.reapInterval(runtime.options.leaseSeconds)
    }

    /// A third of a lease, jittered so that many workers do not reap in step.
    static func reapInterval(_ leaseSeconds: Double) -> Double {
        leaseSeconds / 3 * Double.random(in: 0.75...1.25)
    }

    mutating func run() {
        while !runtime.finished.load(ordering: .sequentiallyConsistent) {
            let now = WorkerRuntime.monotonicNow()
            let due = runtime.active.withLock { jobs in
                jobs.values.filter { context in context.state.withLock { $0.tracker.heartbeatDue(now: now) } }
            }
            beat(due)
            sendFaults()
            if now >= nextReap, !runtime.isStopping {
                reap()
                nextReap = now + Self.reapInterval(runtime.options.leaseSeconds)
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    mutating func connected() throws -> Connection {
        if let connection, connection.isHealthy { return connection }
        let fresh = try Connection(url: runtime.options.databaseURL, connectTimeout: 5)
        connection = fresh
        return fresh
    }

    /// Beats every due lease: those carrying progress one by one (the progress travels
    /// with the beat), the rest in a single round trip.
    mutating func beat(_ contexts: [JobContext]) {
        var quiet: [(job: ClaimedJob, context: JobContext)] = []
        for context in contexts {
            let (job, progress) = context.state.withLock { ($0.job, $0.progress) }
            guard let job else { continue }
            if progress == nil && contexts.count > 1 { quiet.append((job, context)) } else { beat(context) }
        }
        guard !quiet.isEmpty else { return }
        let now = WorkerRuntime.monotonicNow()
        do {
            let held = try runtime.queue.heartbeat(on: connected(), jobs: quiet.map(\.job))
            for (job, context) in quiet {
                let ok = held.contains(job.id)
                context.state.withLock { $0.tracker.apply(ok ? .heartbeatConfirmed(at: now) : .heartbeatRejected) }
                if !ok { context.logger.warning("lease lost for \(job.label): the database rejected the heartbeat") }
            }
        } catch {
            connection = nil
            for (_, context) in quiet {
                context.state.withLock { $0.tracker.apply(.heartbeatFailed(at: now, error: "\(error)")) }
            }
        }
    }

    mutating func beat(_ context: JobContext) {
        let (job, progress) = context.state.withLock { ($0.job, $0.progress) }
        guard let job else { return }
        let now = WorkerRuntime.monotonicNow()
        do {
            let held = try runtime.queue.heartbeat(on: connected(), jobID: job.id, token: job.leaseToken, progress: progress)
            context.state.withLock { $0.tracker.apply(held ? .heartbeatConfirmed(at: now) : .heartbeatRejected) }
            if !held { context.logger.warning("lease lost for \(job.label): the database rejected the heartbeat") }
        } catch {
            connection = nil
            context.state.withLock { $0.tracker.apply(.heartbeatFailed(at: now, error: "\(error)")) }
        }
    }

    /// Writes the faults handlers noted while riding them out to their jobs' `last_error`
    /// (a failed send is retried on the next round).
    mutating func sendFaults() {
        let noted = runtime.active.withLock { jobs in
            jobs.values.compactMap { context -> (JobContext, ClaimedJob, String)? in
                context.state.withLock { state in
                    guard let job = state.job, let fault = state.pendingFault, !state.tracker.isLost else { return nil }
                    return (context, job, fault)
                }
            }
        }
        for (context, job, fault) in noted {
            do {
                _ = try runtime.queue.noteFault(on: connected(), jobID: job.id, token: job.leaseToken, error: fault)
                context.state.withLock { if $0.pendingFault == fault { $0.pendingFault = nil } }
                runtime.summary.withLock { $0.infrastructureFaults += 1 }
            } catch {
                connection = nil
            }
        }
    }

    mutating func reap() {
        do {
            let reaped = try runtime.queue.reapExpired(on: connected())
            if reaped > 0 { runtime.logger.info("reaped \(reaped) expired lease(s)") }
        } catch {
            // The slots report an unreachable database; a missed reap is retried next round.
            connection = nil
            runtime.logger.debug("reaping expired leases failed: \(error)")
        }
    }
}
