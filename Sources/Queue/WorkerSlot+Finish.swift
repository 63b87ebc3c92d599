import Foundation
import Logging
import Postgres

extension WorkerSlot {
    /// Commits the job's results and its completion in one transaction, fenced by the
    /// lease token; with `claimsNext` (and no shutdown under way) the same transaction
    /// claims the slot's next batch. If the connection drops during the transaction (a
    /// server restart, a network fault), reconnects and asks the database how the job
    /// stands before deciding anything, so a result that did commit is never redone and
    /// one that did not is never reported done; while the lease is still held the fault is
    /// written to the job's `last_error` and the completion tried again, as long as the
    /// lease lets this worker write. No attempt is spent on it. (A batch claimed by a
    /// commit whose answer was lost is not known to this slot: its leases expire and are
    /// reaped.)
    mutating func complete(_ job: ClaimedJob, context: JobContext, completion: JobCompletion,
                           claimsNext: Bool, logger: Logger) {
        var faults = 0
        while true {
            let writable = context.state.withLock { $0.tracker.mayWrite(now: WorkerRuntime.monotonicNow()) && !$0.releasedByRuntime }
            guard writable else {
                logger.warning("lease no longer held when the job finished; its results are dropped")
                runtime.summary.withLock { $0.lost += 1 }
                return
            }
            do {
                replacedBrokenConnection = false
                let db = try connect()
                if replacedBrokenConnection {
                    // The connection died while the handler ran (a server restart): the
                    // completion goes through a new one, and the job's row says so.
                    faults += 1
                    runtime.summary.withLock { $0.infrastructureFaults += 1 }
                    _ = try runtime.queue.noteFault(on: db, jobID: job.id, token: job.leaseToken,
                        error: "the database connection was lost while the job ran (server restart or network fault); completed over a new one")
                }
                let queue = runtime.queue
                let (worker, batch, kinds) = (name, runtime.options.claimBatch, self.kinds)
                let claimNow = claimsNext && !runtime.isStopping
                prefetched = try db.withTransaction { tx -> [ClaimedJob] in
                    var next: [ClaimedJob] = []
                    if claimNow {
                        next = try queue.completeAndClaim(on: tx, jobID: job.id, token: job.leaseToken,
                                                          worker: worker, limit: batch, kinds: kinds)
                    } else if try !queue.complete(on: tx, jobID: job.id, token: job.leaseToken) {
                        throw QueueError(.leaseLost, "\(job.label): the lease expired or passed to another worker before completion")
                    }
                    try completion.write(tx)
                    return next
                }
                context.state.withLock { $0.tracker.apply(.finished) }
                runtime.summary.withLock { $0.completed += 1 }
                logger.info("completed \(job.label)\(faults > 0 ? " after \(faults) infrastructure fault(s)" : "")")
                return
            } catch let error as QueueError {
                logger.warning("\(error.message); results dropped")
                runtime.summary.withLock { $0.lost += 1 }
                return
            } catch let error as PostgresError where error.isConnectionLoss {
                connection = nil
                faults += 1
                runtime.summary.withLock { $0.infrastructureFaults += 1 }
                let fault = "the database connection was lost while completing (\(error.message)); the completion was retried"
                logger.warning("connection lost while completing \(job.label) (fault \(faults)): \(error); reconnecting")
                // Waits while the server is away; throws only once the worker is stopping.
                guard let db = try? connect() else { return }
                let standing = Result { () throws(PostgresError) -> JobQueue.Settlement in
                    try runtime.queue.settle(on: db, jobID: job.id, token: job.leaseToken)
                }
                switch standing {
                case .success(.completedByUs):
                    context.state.withLock { $0.tracker.apply(.finished) }
                    runtime.summary.withLock { $0.completed += 1 }
                    logger.info("completed \(job.label) (commit confirmed after reconnect)")
                    return
                case .success(.stillHeld):
                    // Noted on the row so the completed job shows what it went through.
                    _ = try? runtime.queue.noteFault(on: db, jobID: job.id, token: job.leaseToken, error: fault)
                case .success(.lost):
                    runtime.summary.withLock { $0.lost += 1 }
                    logger.warning("\(job.label): the lease was lost during the outage; results dropped")
                    return
                case .failure:
                    connection = nil
                    pause(1)
                }
            } catch {
                // The results could not be written (a constraint, a bad value): that is the
                // job's failure, reported with the lease still held.
                finish(job, context: context, failure: "writing results failed: \(error)", permanent: false)
                return
            }
        }
    }

    /// Gives the job back after an infrastructure fault (the artifact store's disk, the
    /// handler's database connection), saving its progress; the database spends no
    /// attempt while the job's fault budget lasts. The lease stays tracked (heartbeats go
    /// on) until the call got through, so a long outage does not also reap it.
    mutating func retryAfterFault(_ job: ClaimedJob, context: JobContext, fault: String) {
        defer { context.state.withLock { $0.tracker.apply(.finished) } }
        runtime.summary.withLock { $0.infrastructureFaults += 1 }
        let progress = context.state.withLock { $0.progress }
        do {
            let db = try connect()
            let state = try runtime.queue.retryAfterFault(on: db, jobID: job.id, token: job.leaseToken,
                                                          error: fault, progress: progress)
            context.logger.warning("\(job.label): infrastructure fault, given back (now \(state ?? "not ours")): \(fault)")
        } catch {
            context.logger.error("\(job.label): infrastructure fault (\(fault)) and it could not be recorded (\(error)); the lease will expire and be reaped")
        }
    }

    /// Records a failure for the job; permanent ones are not retried.
    mutating func finish(_ job: ClaimedJob, context: JobContext, failure: String, permanent: Bool) {
        context.state.withLock { $0.tracker.apply(.finished) }
        do {
            let db = try connect()
            let state = try runtime.queue.fail(on: db, jobID: job.id, token: job.leaseToken, error: failure, permanent: permanent)
            runtime.summary.withLock { $0.failed += 1 }
            context.logger.error("\(job.label) failed (now \(state ?? "not ours")): \(failure)")
        } catch {
            context.logger.error("\(job.label) failed and the failure could not be recorded (\(error)); the lease will expire and the job be retried: \(failure)")
        }
    }

    /// The job's input from a dependency was bad: redo the dependency, wait for it.
    mutating func redoDependency(_ job: ClaimedJob, context: JobContext, reason: String) {
        context.state.withLock { $0.tracker.apply(.finished) }
        do {
            let db = try connect()
            let state = try runtime.queue.redoDependency(on: db, jobID: job.id, token: job.leaseToken, reason: reason)
            runtime.summary.withLock { $0.released += 1 }
            context.logger.warning("\(job.label): \(reason); its extract job runs again (this job is now \(state ?? "not ours"))")
        } catch {
            context.logger.error("\(job.label): could not re-queue its dependency (\(error)); the lease will expire: \(reason)")
        }
    }

    /// Gives the job back with its saved progress (shutdown or preemption).
    mutating func release(_ job: ClaimedJob, context: JobContext) {
        let (progress, alreadyReleased) = context.state.withLock { state -> (String?, Bool) in
            defer { state.tracker.apply(.finished) }
            return (state.progress, state.releasedByRuntime)
        }
        guard !alreadyReleased else { return }
        do {
            let db = try connect()
            let ok = try runtime.queue.release(on: db, jobID: job.id, token: job.leaseToken, progress: progress)
            runtime.summary.withLock { $0.released += 1 }
            context.logger.info("released \(job.label)\(ok ? "" : " (the lease had already gone)")")
        } catch {
            context.logger.error("could not release \(job.label): \(error); its lease will expire and be reaped")
        }
    }
}
