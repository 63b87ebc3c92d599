import Foundation
import Logging
import Postgres
import PostgresTestSupport
import Synchronization
import Testing
@testable import Queue

/// Faults of the machinery, not of the job: a PostgreSQL restart during a completion or
/// while a handler holds its own connection, an artifact store that fails, a worker that
/// dies holding a lease. Each is retried without spending the job's attempts, or (a
/// death) counted and named, so that a poison input ends `discarded` with the reason.
@Suite struct InfrastructureFaultTests {
    /// A job handler whose completion, the first time it runs, stops in the middle of the
    /// transaction until `proceed` is set; then runs a statement on the transaction.
    final class StallingCompletion: JobHandler {
        let inTransaction = Atomic<Bool>(false)
        let proceed = Atomic<Bool>(false)
        let writes = Atomic<Int>(0)

        func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
            JobCompletion { [self] db in
                if writes.add(1, ordering: .sequentiallyConsistent).newValue == 1 {
                    inTransaction.store(true, ordering: .sequentiallyConsistent)
                    while !proceed.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 0.02) }
                }
                try db.execute(SQLQuery("update spectra.jobs set args = '{\"written\": true}' where id = \(job.id)"))
            }
        }
    }

    /// Fails its first run with `failure`, then completes.
    final class FailsOnce: JobHandler {
        let runs = Atomic<Int>(0)
        let failure: @Sendable () throws -> Void

        init(failure: @escaping @Sendable () throws -> Void) { self.failure = failure }

        func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
            if runs.add(1, ordering: .sequentiallyConsistent).newValue == 1 { try failure() }
            return JobCompletion { _ in }
        }
    }

    struct DiskFull: InfrastructureFailure, CustomStringConvertible {
        var description: String { "artifact store: cannot write /store/x.npy: No space left on device" }
    }

    static func row(_ url: String, _ id: Int64 = 1) throws -> (state: String, attempt: Int, completions: Int, faults: Int, error: String?) {
        let row = try #require(try Connection(url: url).query(SQLQuery(
            "select state::text as s, attempt, completions, infra_faults, last_error from spectra.jobs where id = \(id)")).first)
        return (try row.decode("s", as: String.self), try row.decode("attempt", as: Int.self),
                try row.decode("completions", as: Int.self), try row.decode("infra_faults", as: Int.self),
                try row.decode("last_error", as: String?.self))
    }

    /// The summary of a worker running on its own thread, once it returns.
    final class Background: Sendable {
        let summary = Mutex<WorkerSummary?>(nil)

        init(_ runtime: WorkerRuntime) {
            Thread { [self] in let result = runtime.run(); summary.withLock { $0 = result } }.start()
        }
    }

    static func wait(_ seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    @Test func aServerRestartInTheMiddleOfACompletionSpendsNoAttemptAndIsRecorded() throws {
        let server = try TemporaryServer()
        defer { server.remove() }
        let url = try ProtocolTests.queueURL(1, onServer: server.url)
        let handler = StallingCompletion()
        // A 20 s lease outlives the restart, so the lease is still held afterwards.
        let runtime = WorkerRuntime(options: WorkerRuntimeTests.options(url, batch: 1, lease: 20),
                                    handlers: ["weights": handler], logger: WorkerRuntimeTests.logger)
        let done = Background(runtime)
        #expect(Self.wait(20) { handler.inTransaction.load(ordering: .sequentiallyConsistent) })
        try server.restart()
        handler.proceed.store(true, ordering: .sequentiallyConsistent)
        #expect(Self.wait(60) { done.summary.withLock { $0 != nil } })
        let summary = try #require(done.summary.withLock { $0 })
        #expect(summary.completed == 1 && summary.failed == 0 && summary.lost == 0, "\(summary)")
        #expect(summary.infrastructureFaults >= 1, "\(summary)")
        #expect(handler.writes.load(ordering: .sequentiallyConsistent) == 2, "the results were written again after the reconnect")
        let job = try Self.row(url)
        #expect(job.state == "completed" && job.attempt == 1 && job.completions == 1, "\(job)")
        #expect(job.faults == 1, "\(job)")
        #expect(job.error?.contains("connection was lost while completing") == true, "\(job.error ?? "nil")")
        #expect(job.error?.contains("not counted as an attempt") == true, "\(job.error ?? "nil")")
        let args = try Connection(url: url).query(SQLQuery("select args::text as a from spectra.jobs where id = 1")).first?
            .decode("a", as: String.self)
        #expect(args == "{\"written\": true}", "the retried completion's write committed")
    }

    @Test func aServerRestartUnderTheHandlersOwnConnectionGivesTheJobBackUncounted() throws {
        let server = try TemporaryServer()
        defer { server.remove() }
        let url = try ProtocolTests.queueURL(1, maxAttempts: 1, onServer: server.url)
        // The handler's connection dies in a real restart; its next statement fails with
        // the server's own error (57P01 or a closed socket).
        let handler = FailsOnce {
            let own = try Connection(url: url)
            try server.restart()
            _ = try own.query(SQLQuery("select 1 as one"))
        }
        let runtime = WorkerRuntime(options: WorkerRuntimeTests.options(url, batch: 1, lease: 20),
                                    handlers: ["weights": handler], logger: WorkerRuntimeTests.logger)
        let summary = runtime.run()
        #expect(summary.completed == 1 && summary.failed == 0, "\(summary)")
        #expect(summary.infrastructureFaults == 1, "\(summary)")
        #expect(handler.runs.load(ordering: .sequentiallyConsistent) == 2)
        // One attempt allowed, two claims: the first was not counted.
        let job = try Self.row(url)
        #expect(job.state == "completed" && job.attempt == 1 && job.faults == 1, "\(job)")
    }

    @Test func anArtifactStoreFaultGivesTheJobBackUncountedWithTheReason() throws {
        let url = try ProtocolTests.queueURL(1, maxAttempts: 1)
        let db = try Connection(url: url)
        let queue = JobQueue(leaseSeconds: 30)
        let job = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        let state = try queue.retryAfterFault(on: db, jobID: job.id, token: job.leaseToken,
                                              error: "\(DiskFull())", progress: "{\"rows\": 8}")
        #expect(state == "available")
        let after = try Self.row(url)
        #expect(after.attempt == 0 && after.faults == 1, "\(after)")
        #expect(after.error == "infrastructure fault 1 (of 4 allowed), not counted as an attempt: artifact store: cannot write /store/x.npy: No space left on device")
        #expect(try ProtocolTests.state(db, job.id).progress == "{\"rows\": 8}", "saved progress is kept for the next claimer")
        // A fenced call: the old token changes nothing any more.
        #expect(try queue.retryAfterFault(on: db, jobID: job.id, token: job.leaseToken, error: "late", progress: nil) == nil)

        // The worker path: the handler's fault goes back uncounted and the retry completes.
        let handler = FailsOnce { throw DiskFull() }
        let url2 = try ProtocolTests.queueURL(1, maxAttempts: 1)
        let summary = WorkerRuntime(options: WorkerRuntimeTests.options(url2, batch: 1, lease: 10),
                                    handlers: ["weights": handler], logger: WorkerRuntimeTests.logger).run()
        #expect(summary.completed == 1 && summary.failed == 0 && summary.infrastructureFaults == 1, "\(summary)")
        let done = try Self.row(url2)
        #expect(done.state == "completed" && done.attempt == 1 && done.faults == 1, "\(done)")
    }

    @Test func faultsBeyondTheirBudgetSpendAttemptsUntilDiscarded() throws {
        let url = try ProtocolTests.queueURL(1, maxAttempts: 1)
        let db = try Connection(url: url)
        let queue = JobQueue(leaseSeconds: 30)
        for fault in 1...5 {
            try db.execute(SQLQuery("update spectra.jobs set run_after = now() where id = 1"))
            let job = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
            let state = try queue.retryAfterFault(on: db, jobID: job.id, token: job.leaseToken, error: "EIO", progress: nil)
            // Budget 4 × max_attempts = 4: the fifth fault is counted, and ends the job.
            #expect(state == (fault <= 4 ? "available" : "discarded"), "fault \(fault)")
        }
        let job = try Self.row(url)
        #expect(job.faults == 5 && job.attempt == 1, "\(job)")
        #expect(job.error == "infrastructure fault 5, over its budget of 4, counted as attempt 1 of 1: EIO")
        // `spectra jobs retry` gives back the fault budget with the attempts.
        try db.execute(SQLQuery("select spectra.retry_run(1)"))
        let retried = try Self.row(url)
        #expect(retried.state == "available" && retried.attempt == 0 && retried.faults == 0, "\(retried)")
    }

    @Test func aDeadWorkersLeaseIsReapedWithItsNameUntilTheJobIsDiscarded() throws {
        let url = try ProtocolTests.queueURL(1, maxAttempts: 2)
        let db = try Connection(url: url)
        // The worker "dies" holding the lease: nobody heartbeats, and the lease runs out.
        let short = JobQueue(leaseSeconds: 0.3)
        _ = try #require(try short.claim(on: db, worker: "gpu-7/0", limit: 1).first)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try short.reapExpired(on: db) == 1)
        let first = try Self.row(url)
        #expect(first.state == "available" && first.attempt == 1, "\(first)")
        let firstError = try #require(first.error)
        #expect(firstError.hasPrefix("worker gpu-7/0 lost its lease at "), "\(firstError)")
        #expect(firstError.contains(" UTC on attempt 1 of 2 (the worker died"), "\(firstError)")

        _ = try #require(try short.claim(on: db, worker: "gpu-9/1", limit: 1).first)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try short.reapExpired(on: db) == 1)
        let second = try Self.row(url)
        #expect(second.state == "discarded" && second.attempt == 2, "\(second)")
        #expect(second.error?.hasPrefix("worker gpu-9/1 lost its lease at ") == true, "\(second.error ?? "nil")")
        #expect(second.error?.hasSuffix("; no attempts left") == true, "\(second.error ?? "nil")")
        #expect(try short.claim(on: db, worker: "gpu-1", limit: 1).isEmpty, "a discarded job is not claimed again")
    }

    @Test func anEarlierErrorDoesNotOutliveACleanCompletion() throws {
        let url = try ProtocolTests.queueURL(1)
        let db = try Connection(url: url)
        let queue = JobQueue(leaseSeconds: 30)
        let first = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.noteFault(on: db, jobID: first.id, token: first.leaseToken, error: "outage"))
        _ = try queue.release(on: db, jobID: first.id, token: first.leaseToken, progress: nil)
        // The fault belonged to the first lease; the second completes cleanly.
        let second = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try db.withTransaction { tx in try queue.complete(on: tx, jobID: second.id, token: second.leaseToken) })
        let job = try Self.row(url)
        #expect(job.state == "completed" && job.error == nil && job.faults == 1, "\(job)")
    }
}
