import Foundation
import PostgresTestSupport
import Logging
import Postgres
import Testing
@testable import Queue

/// The SQL job protocol against a real server: fencing, release, reaping, failures.
@Suite struct ProtocolTests {
    static let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql/migrations")

    /// A fresh database with the schema, one run, one checkpoint and `jobs` weights jobs.
    static func queueWithJobs(_ jobs: Int, maxAttempts: Int = 5) throws -> Connection {
        try Connection(url: queueURL(jobs, maxAttempts: maxAttempts))
    }

    /// The same, as a URL (for workers that open their own connections).
    static func queueURL(_ jobs: Int, maxAttempts: Int = 5, onServer adminURL: String? = nil) throws -> String {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .warning
        let url = try adminURL.map { url throws(PostgresError) in try TemporaryDatabase.create(onServer: url, logger: logger) }
            ?? TemporaryDatabase.create(logger: logger)
        let db = try Connection(url: url)
        _ = try Migrator(directory: migrations, schema: "spectra", logger: logger).migrate(db)
        try db.unsafeExecute("""
            insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
                values ('m', 'local', 'GPTNeoXForCausalLM', 64, 8, '/nowhere');
            insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                values (1, 'step0', 0, 0, '/nowhere/step0');
            insert into spectra.runs (name, family, config) values ('r', 'local', '{}');
            """)
        try db.execute(SQLQuery("""
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, max_attempts)
            select 1, 'weights', 1, l, \(maxAttempts) from generate_series(0, \(jobs - 1)) as l
            """))
        return url
    }

    static func state(_ db: Connection, _ id: Int64) throws -> (state: String, attempt: Int, error: String?, progress: String?) {
        let row = try db.query(SQLQuery("select state::text as s, attempt, last_error, progress::text as p from spectra.jobs where id = \(id)")).first!
        return (try row.decode("s", as: String.self), try row.decode("attempt", as: Int.self),
                try row.decode("last_error", as: String?.self), try row.decode("p", as: String?.self))
    }

    @Test func claimsAreDisjointAndCountAttempts() throws {
        let db = try Self.queueWithJobs(10)
        let queue = JobQueue(leaseSeconds: 30)
        let a = try queue.claim(on: db, worker: "a", limit: 4)
        let b = try queue.claim(on: db, worker: "b", limit: 10)
        #expect(a.count == 4 && b.count == 6)
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
        #expect(a.allSatisfy { $0.attempt == 1 })
        #expect(Set((a + b).map(\.leaseToken)).count == 10, "each claim mints its own token")
        #expect(try queue.claim(on: db, worker: "c", limit: 1).isEmpty)
    }

    @Test func lateCompletionAfterExpiryChangesNothing() throws {
        let db = try Self.queueWithJobs(1)
        let short = JobQueue(leaseSeconds: 0.5)
        let job = try #require(try short.claim(on: db, worker: "slow", limit: 1).first)
        Thread.sleep(forTimeInterval: 0.8)
        #expect(try !short.heartbeat(on: db, jobID: job.id, token: job.leaseToken, progress: nil))
        #expect(try short.reapExpired(on: db) == 1)
        let again = try #require(try short.claim(on: db, worker: "fast", limit: 1).first)
        #expect(again.id == job.id && again.attempt == 2)
        // The slow worker's completion arrives late: fenced off, and the new holder's stands.
        let late = try db.withTransaction { tx in try JobQueue().complete(on: tx, jobID: job.id, token: job.leaseToken) }
        #expect(!late)
        #expect(try Self.state(db, job.id).state == "running")
        #expect(try JobQueue().complete(on: db, jobID: again.id, token: again.leaseToken))
        #expect(try Self.state(db, job.id).state == "completed")
    }

    @Test func expiredButUnreapedLeaseCannotComplete() throws {
        let db = try Self.queueWithJobs(1)
        let job = try #require(try JobQueue(leaseSeconds: 0.3).claim(on: db, worker: "w", limit: 1).first)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try !JobQueue().complete(on: db, jobID: job.id, token: job.leaseToken))
    }

    @Test func releaseKeepsProgressAndDoesNotCountTheAttempt() throws {
        let db = try Self.queueWithJobs(1)
        let queue = JobQueue(leaseSeconds: 30)
        let job = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.heartbeat(on: db, jobID: job.id, token: job.leaseToken, progress: #"{"batches": 3}"#))
        #expect(try queue.release(on: db, jobID: job.id, token: job.leaseToken, progress: #"{"batches": 5}"#))
        let after = try Self.state(db, job.id)
        #expect(after.state == "available" && after.attempt == 0)
        let resumed = try #require(try queue.claim(on: db, worker: "w2", limit: 1).first)
        #expect(resumed.attempt == 1)
        #expect(resumed.progress?.replacingOccurrences(of: " ", with: "") == #"{"batches":5}"#)
        #expect(try !queue.release(on: db, jobID: job.id, token: job.leaseToken, progress: nil), "an old token releases nothing")
    }

    @Test func permanentFailureIsTerminalWithItsMessage() throws {
        let db = try Self.queueWithJobs(1)
        let queue = JobQueue(leaseSeconds: 30)
        let job = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        let state = try queue.fail(on: db, jobID: job.id, token: job.leaseToken, error: "tensor x is truncated", permanent: true)
        #expect(state == "failed")
        #expect(try Self.state(db, job.id).error == "tensor x is truncated")
        #expect(try queue.claim(on: db, worker: "w", limit: 1).isEmpty)
    }

    @Test func transientFailuresBackOffThenDiscard() throws {
        let db = try Self.queueWithJobs(1, maxAttempts: 2)
        let queue = JobQueue(leaseSeconds: 30)
        let first = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.fail(on: db, jobID: first.id, token: first.leaseToken, error: "disk hiccup", permanent: false) == "available")
        // Backoff after attempt 1: 2 s ± 25%, by the database's clock.
        let delay = try db.query(SQLQuery("select extract(epoch from run_after - now())::float8 as d from spectra.jobs where id = \(first.id)"))
            .first!.decode("d", as: Double.self)
        #expect(delay > 1.4 && delay < 2.6, "backoff \(delay) s")
        #expect(try queue.claim(on: db, worker: "w", limit: 1).isEmpty, "not claimable during the backoff")
        try db.execute(SQLQuery("update spectra.jobs set run_after = now() where id = \(first.id)"))
        let second = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.fail(on: db, jobID: second.id, token: second.leaseToken, error: "disk hiccup again", permanent: false) == "discarded")
        #expect(try Self.state(db, first.id).error == "disk hiccup again")
    }

    @Test func outstandingWorkSeesBackoffAndRunningJobs() throws {
        let db = try Self.queueWithJobs(1)
        let queue = JobQueue(leaseSeconds: 30)
        #expect(try queue.hasOutstandingWork(on: db))
        let job = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try queue.hasOutstandingWork(on: db))
        #expect(try queue.hasOutstandingWork(on: db, kinds: ["weights"]))
        #expect(try !queue.hasOutstandingWork(on: db, kinds: ["extract"]))
        #expect(try queue.complete(on: db, jobID: job.id, token: job.leaseToken))
        #expect(try !queue.hasOutstandingWork(on: db))
        #expect(try queue.settle(on: db, jobID: job.id, token: job.leaseToken) == .completedByUs)
    }

    @Test func batchHeartbeatExtendsOnlyLeasesStillHeld() throws {
        let db = try Self.queueWithJobs(3)
        let queue = JobQueue(leaseSeconds: 30)
        let jobs = try queue.claim(on: db, worker: "w", limit: 3)
        #expect(try queue.release(on: db, jobID: jobs[1].id, token: jobs[1].leaseToken, progress: nil))
        let before = try db.query(SQLQuery("select lease_expires_at as t from spectra.jobs where id = \(jobs[0].id)")).first!.decode("t", as: Date.self)
        let held = try JobQueue(leaseSeconds: 120).heartbeat(on: db, jobs: jobs)
        #expect(held == [jobs[0].id, jobs[2].id], "the released job's lease is lost")
        let after = try db.query(SQLQuery("select lease_expires_at as t from spectra.jobs where id = \(jobs[0].id)")).first!.decode("t", as: Date.self)
        #expect(after.timeIntervalSince(before) > 80, "extended to 120 s from now")
    }
}
