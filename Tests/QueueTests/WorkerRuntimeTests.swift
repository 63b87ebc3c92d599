import Foundation
import Logging
import Postgres
import Synchronization
import Testing
@testable import Queue

/// The worker runtime in-process, with a handler that only sleeps: batch claims keep
/// every waiting job's lease alive, and a shutdown releases what has not run.
@Suite struct WorkerRuntimeTests {
    /// Sleeps `seconds` per job in short steps, honouring cancellation; writes nothing.
    final class Sleeper: JobHandler {
        let seconds: Double
        let started = Mutex<[Int64]>([])

        init(seconds: Double) { self.seconds = seconds }

        func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
            started.withLock { $0.append(job.id) }
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                try context.checkCancellation()
                Thread.sleep(forTimeInterval: 0.02)
            }
            return JobCompletion { _ in }
        }
    }

    static func options(_ url: String, batch: Int, lease: Double) -> WorkerOptions {
        var options = WorkerOptions(databaseURL: url, name: "in-process")
        options.claimBatch = batch
        options.leaseSeconds = lease
        options.pollSeconds = 0.1
        options.gracePeriodSeconds = 2
        options.drain = true
        return options
    }

    static var logger: Logger {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .critical
        return logger
    }

    @Test func jobsWaitingTheirTurnInABatchKeepTheirLeases() throws {
        let url = try ProtocolTests.queueURL(5)
        let db = try Connection(url: url)
        let handler = Sleeper(seconds: 0.5)
        // Five jobs of 0.5 s in one batch under a 1 s lease: the last waits 2 s for its
        // turn, twice its lease, and survives only through heartbeats.
        let runtime = WorkerRuntime(options: Self.options(url, batch: 5, lease: 1),
                                    handlers: ["weights": handler], logger: Self.logger)
        let summary = runtime.run()
        #expect(summary.completed == 5 && summary.lost == 0, "\(summary)")
        #expect(try db.query(SQLQuery("select count(*) as n from spectra.jobs where state = 'completed' and attempt = 1 and completions = 1"))
            .first?.decode("n", as: Int.self) == 5)
        #expect(try JobQueue().reapExpired(on: db) == 0)
    }

    @Test func aShutdownReleasesTheJobsOfABatchThatHaveNotRun() throws {
        let url = try ProtocolTests.queueURL(4)
        let db = try Connection(url: url)
        let handler = Sleeper(seconds: 30)
        let runtime = WorkerRuntime(options: Self.options(url, batch: 4, lease: 30),
                                    handlers: ["weights": handler], logger: Self.logger)
        let done = Mutex<WorkerSummary?>(nil)
        let thread = Thread { let summary = runtime.run(); done.withLock { $0 = summary } }
        thread.start()
        let deadline = Date().addingTimeInterval(10)
        while handler.started.withLock({ $0.isEmpty }), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        runtime.shutdown()
        while done.withLock({ $0 == nil }), Date() < deadline.addingTimeInterval(5) { Thread.sleep(forTimeInterval: 0.05) }
        let summary = try #require(done.withLock { $0 })
        #expect(summary.released == 4 && summary.completed == 0, "\(summary)")
        #expect(handler.started.withLock { $0.count } == 1, "the jobs waiting their turn never started")
        let rows = try db.query(SQLQuery("select count(*) as n from spectra.jobs where state = 'available' and attempt = 0"))
        #expect(try rows.first?.decode("n", as: Int.self) == 4, "released without counting an attempt")
    }
}
