import Foundation
import Logging
import Postgres

/// One slot of a worker: its own connection, one job at a time.
struct WorkerSlot {
    let runtime: WorkerRuntime
    let index: Int
    let kinds: [String]
    var connection: Connection?
    /// Jobs claimed in the transaction that completed the previous one, run next.
    var prefetched: [ClaimedJob] = []
    /// Set when `connect()` found the slot's connection broken and replaced it: the
    /// server restarted or the network failed while the slot was not looking.
    var replacedBrokenConnection = false

    init(runtime: WorkerRuntime, index: Int, kinds: [String]) {
        self.runtime = runtime
        self.index = index
        self.kinds = kinds
    }

    var name: String { runtime.options.concurrency > 1 ? "\(runtime.options.name)/\(index)" : runtime.options.name }
    var logger: Logger { runtime.logger }

    mutating func run() {
        loop()
        // A shutdown can land between the commit that claimed the next batch and its
        // turn: give those jobs back now rather than leave them to expire.
        if !prefetched.isEmpty {
            let held = prefetched
            prefetched = []
            runInTurn(held)
        }
    }

    private mutating func loop() {
        while !runtime.isStopping {
            do {
                let db = try connect()
                var jobs = prefetched
                prefetched = []
                if jobs.isEmpty {
                    jobs = try runtime.queue.claim(on: db, worker: name, limit: runtime.options.claimBatch, kinds: kinds)
                }
                guard !jobs.isEmpty else {
                    // Expired leases are reaped by the heartbeat thread on a timer.
                    if runtime.options.drain, try !runtime.queue.hasOutstandingWork(on: db, kinds: kinds) { return }
                    pause(runtime.options.pollSeconds * Double.random(in: 0.75...1.25))
                    continue
                }
                runInTurn(jobs)
            } catch let error as PostgresError where error.isPermanentForWorkers {
                // A schema older than this worker or a missing privilege fails the same way
                // on every retry: stop with the reason instead of spinning.
                runtime.stop(because: "worker slot \(index): \(error)")
                return
            } catch {
                logger.warning("worker slot \(index): \(error); reconnecting", metadata: ["worker": "\(name)"])
                connection = nil
                pause(1)
            }
        }
    }

    /// The slot's connection, re-established with exponential backoff (capped at 30 s)
    /// while the database is away; gives up only when the worker is stopping.
    mutating func connect() throws -> Connection {
        if let connection {
            if connection.isHealthy { return connection }
            replacedBrokenConnection = true
        }
        connection = nil
        var delay = 0.5
        while true {
            do {
                let fresh = try Connection(url: runtime.options.databaseURL, connectTimeout: 10)
                connection = fresh
                return fresh
            } catch {
                if runtime.isStopping { throw error }
                logger.warning("cannot reach the database, retrying in \(String(format: "%.1f", delay)) s: \(error)")
                pause(delay)
                delay = min(delay * 2, 30)
            }
        }
    }

    /// Sleeps in short steps so a shutdown is noticed promptly.
    func pause(_ seconds: Double) {
        let end = WorkerRuntime.monotonicNow() + seconds
        while !runtime.isStopping, WorkerRuntime.monotonicNow() < end {
            Thread.sleep(forTimeInterval: min(0.1, max(0, end - WorkerRuntime.monotonicNow())))
        }
    }

    /// Runs a claimed batch one job after another. Every job is registered up front, so
    /// the heartbeat thread keeps the leases of those still waiting alive; after a
    /// shutdown the ones not yet started are released untouched. The last job's
    /// completion claims the next batch in the same transaction.
    mutating func runInTurn(_ jobs: [ClaimedJob]) {
        let contexts = jobs.map { prepare($0) }
        for (index, (job, context)) in zip(jobs, contexts).enumerated() {
            defer { runtime.unregister(job) }
            if runtime.isStopping {
                release(job, context: context)
            } else {
                process(job, context: context, claimsNext: index == jobs.count - 1)
            }
        }
    }

    /// Starts tracking the job's lease and makes it visible to the heartbeat thread.
    func prepare(_ job: ClaimedJob) -> JobContext {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "kind"] = "\(job.kind)"
        log[metadataKey: "run"] = "\(job.runID)"
        log[metadataKey: "checkpoint"] = "\(job.checkpointID)"
        if let layer = job.layer { log[metadataKey: "layer"] = "\(layer)" }

        let tracker = LeaseTracker(leaseSeconds: runtime.options.leaseSeconds, claimedAt: WorkerRuntime.monotonicNow())
        let context = JobContext(logger: log, workerName: name, tracker: tracker)
        runtime.register(job, context: context)
        return context
    }

    mutating func process(_ job: ClaimedJob, context: JobContext, claimsNext: Bool) {
        let log = context.logger
        guard let handler = runtime.handlers[job.kind] else {
            finish(job, context: context, failure: "no handler for job kind '\(job.kind)' in this worker", permanent: true)
            return
        }
        let completion: JobCompletion
        do {
            completion = try handler.run(job, context: context)
        } catch let error as QueueError where error.code == .cancelled {
            release(job, context: context)
            return
        } catch let error as QueueError where error.code == .leaseLost {
            log.warning("lease lost, writing nothing: \(error.message)")
            runtime.summary.withLock { $0.lost += 1 }
            return
        } catch let error as any RedoDependencyFailure {
            redoDependency(job, context: context, reason: "\(error)")
            return
        } catch let error as PostgresError where error.isConnectionLoss {
            // The handler's own connection (a spectrum job reading its artifacts' rows)
            // met a restart or a network fault: not the job's doing.
            retryAfterFault(job, context: context, fault: "the database connection was lost while the job ran: \(error.message)")
            return
        } catch let error as any InfrastructureFailure {
            retryAfterFault(job, context: context, fault: "\(error)")
            return
        } catch {
            finish(job, context: context, failure: "\(error)", permanent: error is any PermanentJobFailure)
            return
        }
        complete(job, context: context, completion: completion, claimsNext: claimsNext, logger: log)
    }
}

extension PostgresError {
    /// Errors no retry can cure: SQLSTATE classes 42 (undefined function or table,
    /// insufficient privilege), 3F (no such schema) and 28 (authorization).
    var isPermanentForWorkers: Bool {
        guard let state = sqlState else { return false }
        return ["42", "3F", "28"].contains(String(state.prefix(2)))
    }
}
