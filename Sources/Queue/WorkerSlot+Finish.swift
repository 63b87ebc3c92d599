import Foundation
import Logging
import Postgres

extension WorkerSlot {
    /// Commits the job's results and its completion in one transaction, fenced by the
    /// lease token; with `claimsNext` (and no shutdown under way) the same transaction
    /// claims the slot's next batch. If the connection drops during the commit, asks the
    /// database how the job stands before deciding anything, so a result that did commit
    /// is never redone and one that did not is never reported done. (A batch claimed by
    /// such a commit is not known to this slot: its leases expire and are reaped.)
    mutating func complete(_ job: ClaimedJob, context: JobContext, completion: JobCompletion,
                           claimsNext: Bool, logger: Logger) {
        for attempt in 1...2 {
            let writable = context.state.withLock { $0.tracker.mayWrite(now: WorkerRuntime.monotonicNow()) && !$0.releasedByRuntime }
            guard writable else {
                logger.warning("lease no longer held when the job finished; its results are dropped")
                runtime.summary.withLock { $0.lost += 1 }
                return
            }
            do {
                let db = try connect()
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
                logger.info("completed \(job.label)")
                return
            } catch let error as QueueError {
                logger.warning("\(error.message); results dropped")
                runtime.summary.withLock { $0.lost += 1 }
                return
            } catch let error as PostgresError where error.isConnectionLoss {
                connection = nil
                logger.warning("connection lost while completing \(job.label) (attempt \(attempt)): \(error)")
                guard let db = try? connect() else { return }
                switch (try? runtime.queue.settle(on: db, jobID: job.id, token: job.leaseToken)) ?? .lost {
                case .completedByUs:
                    runtime.summary.withLock { $0.completed += 1 }
                    logger.info("completed \(job.label) (commit confirmed after reconnect)")
                    return
                case .stillHeld:
                    continue
                case .lost:
                    runtime.summary.withLock { $0.lost += 1 }
                    return
                }
            } catch {
                // The results could not be written (a constraint, a bad value): that is the
                // job's failure, reported with the lease still held.
                finish(job, context: context, failure: "writing results failed: \(error)", permanent: false)
                return
            }
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
