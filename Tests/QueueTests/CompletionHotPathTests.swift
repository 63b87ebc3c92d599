import Foundation
import PostgresTestSupport
import Postgres
import Synchronization
import Testing
@testable import Queue

/// Migration 0011: completing a job and claiming the next in one transaction, and result
/// rows checked once per statement against their job, run and checkpoint.
@Suite struct CompletionHotPathTests {
    let queue = JobQueue(leaseSeconds: 30)

    static func count(_ db: Connection, _ sql: String) throws -> Int {
        try db.query(SQLQuery(stringLiteral: sql)).first?.decode("n", as: Int.self) ?? -1
    }

    /// `count` over a cumulative-statistics view, after this session's pending counters
    /// are flushed (the forced flush runs when the session goes idle after that statement)
    /// and any statistics snapshot is dropped.
    static func statistic(_ db: Connection, _ sql: String) throws -> Int {
        try db.unsafeExecute("select pg_stat_force_next_flush()")
        try db.unsafeExecute("select pg_stat_clear_snapshot()")
        return try count(db, sql)
    }

    /// Whether `sql` fails with a foreign-key violation whose message contains `words`.
    static func refused(_ db: Connection, _ sql: String, saying words: String) -> Bool {
        do {
            try db.unsafeExecute(sql)
            return false
        } catch {
            return error.isForeignKeyViolation && error.message.contains(words)
        }
    }

    @Test func aWorkerCompletesAndClaimsInOneTransaction() throws {
        let db = try RoleTests.session(as: "spectra_worker", jobs: 3)
        let first = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        let next = try db.withTransaction { tx in
            try tx.execute(RoleTests.upsertResult(first))
            return try queue.completeAndClaim(on: tx, jobID: first.id, token: first.leaseToken, worker: "w", limit: 2)
        }
        #expect(next.count == 2 && !next.contains { $0.id == first.id } && next.allSatisfy { $0.attempt == 1 })
        try db.unsafeExecute("reset role")
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'completed' and completions = 1") == 1)
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'running' and leased_by = 'w'") == 2)
        #expect(try Self.count(db, "select count(*)::int as n from spectra.results where job_id = \(first.id)") == 1)
    }

    @Test func aLostLeaseRollsBackTheResultsAndClaimsNothing() throws {
        let db = try ProtocolTests.queueWithJobs(3)
        let job = try #require(try JobQueue(leaseSeconds: 0.3).claim(on: db, worker: "slow", limit: 1).first)
        Thread.sleep(forTimeInterval: 0.5)
        #expect {
            try db.withTransaction { tx in
                try tx.execute(RoleTests.upsertResult(job))
                _ = try queue.completeAndClaim(on: tx, jobID: job.id, token: job.leaseToken, worker: "slow", limit: 2)
            }
        } throws: { error in
            (error as? QueueError)?.code == .leaseLost && "\(error)".contains("job \(job.id)")
        }
        #expect(try Self.count(db, "select count(*)::int as n from spectra.results") == 0)
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'running' and leased_by = 'slow'") == 1,
                "only the expired lease; the two others were not claimed")
        #expect(try Self.count(db, "select completions as n from spectra.jobs where id = \(job.id)") == 0)
    }

    @Test func resultsMustNameTheirJobsRunAndCheckpoint() throws {
        let db = try ProtocolTests.queueWithJobs(1)
        try db.unsafeExecute("insert into spectra.runs (name, family, config) values ('other', 'local', '{}')")
        let insert = { (run: Int, checkpoint: Int, job: String) in
            """
            insert into spectra.results (run_id, checkpoint_id, layer, source, rows, columns, eigenvalues, metrics, method, elapsed_seconds, worker, job_id)
            values (\(run), \(checkpoint), 0, 'weights', 1, 1, '{1}', '{}', 'exact', 0, 'w', \(job))
            """
        }
        #expect(Self.refused(db, insert(2, 1, "1"), saying: "job 1 belongs to run 1, checkpoint 1"))
        #expect(Self.refused(db, insert(1, 1, "99"), saying: "job 99 does not exist"))
        #expect(Self.refused(db, insert(1, 7, "null"), saying: "checkpoint 7 does not exist"))
        #expect(Self.refused(db, insert(9, 1, "null"), saying: "run 9 does not exist"))
        try db.unsafeExecute(insert(1, 1, "1"))
        #expect(Self.refused(db, "update spectra.results set run_id = 2", saying: "job 1 belongs to run 1"))
        #expect(Self.refused(db, "delete from spectra.jobs", saying: "job 1 still has results"))
        try db.unsafeExecute("update spectra.results set job_id = null")
        #expect(Self.refused(db, "delete from spectra.checkpoints", saying: "jobs_checkpoint_id_fkey"),
                "the job still refers to the checkpoint (its own foreign key)")
        try db.unsafeExecute("delete from spectra.jobs")
        #expect(Self.refused(db, "delete from spectra.runs where id = 1", saying: "run 1 still has results"))
        #expect(Self.refused(db, "delete from spectra.checkpoints", saying: "checkpoint 1 still has results"))
        try db.unsafeExecute("delete from spectra.runs where id = 2")
        #expect(try Self.count(db, "select count(*)::int as n from spectra.results") == 1)
    }

    /// The runtime's side: one job at a time, every completion after the first claim also
    /// claims the next job, so the worker makes one claim call for the whole queue (plus
    /// the empty one that ends its drain).
    @Test func theRuntimeClaimsTheNextJobWhileCompleting() throws {
        let url = try ProtocolTests.queueURL(5)
        let db = try Connection(url: url)
        try db.unsafeExecute("do $$ begin execute format('alter database %I set track_functions = ''pl''', current_database()); end $$")
        let runtime = WorkerRuntime(options: WorkerRuntimeTests.options(url, batch: 1, lease: 30),
                                    handlers: ["weights": WorkerRuntimeTests.Sleeper(seconds: 0)],
                                    logger: WorkerRuntimeTests.logger)
        let summary = runtime.run()
        #expect(summary.completed == 5 && summary.lost == 0, "\(summary)")
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'completed' and completions = 1") == 5)
        // The worker's backends report their function counts when they exit.
        let calls = "select coalesce(sum(calls), 0)::int as n from pg_stat_user_functions where schemaname = 'spectra' and funcname = "
        var combined = 0
        let deadline = Date().addingTimeInterval(10)
        repeat {
            try db.unsafeExecute("select pg_stat_clear_snapshot()")
            combined = try Self.count(db, calls + "'complete_and_claim'")
            if combined == 5 { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        #expect(combined == 5, "every completion claimed the next job in its transaction")
        #expect(try Self.count(db, calls + "'claim_jobs'") == 5 + 2, "five inside completions, the first claim and the last, empty one")
    }

    /// Asks its runtime to shut down from inside the completion's transaction, after the
    /// next job was claimed there: the moment a SIGTERM could land.
    final class StopWhileCompleting: JobHandler {
        let runtime = Mutex<WorkerRuntime?>(nil)

        func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion {
            let runtime = self.runtime.withLock { $0 }
            return JobCompletion { _ in runtime?.shutdown() }
        }
    }

    @Test func aShutdownReleasesTheJobClaimedByTheLastCompletion() throws {
        let url = try ProtocolTests.queueURL(3)
        let db = try Connection(url: url)
        let handler = StopWhileCompleting()
        let runtime = WorkerRuntime(options: WorkerRuntimeTests.options(url, batch: 1, lease: 30),
                                    handlers: ["weights": handler], logger: WorkerRuntimeTests.logger)
        handler.runtime.withLock { $0 = runtime }
        let summary = runtime.run()
        #expect(summary.completed == 1 && summary.released == 1 && summary.lost == 0, "\(summary)")
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'completed'") == 1)
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs where state = 'available' and attempt = 0") == 2,
                "the prefetched job went back without an attempt counted, the third was never claimed")
    }

    /// A claim or heartbeat on its own commits without waiting for the WAL flush; a
    /// completion waits. Counted by the server's WAL flushes (pg_stat_wal.wal_sync) on a
    /// private server with stock durability, so no other test's commits are in the count.
    @Test func leasesCommitAsynchronouslyAndCompletionsDurably() throws {
        let server = try TemporaryServer(durable: true)
        defer { server.remove() }
        let db = try Connection(url: try ProtocolTests.queueURL(200, onServer: server.url))
        let flushes = { try Self.statistic(db, "select wal_sync::int as n from pg_stat_wal") }
        var jobs: [ClaimedJob] = []
        let beforeClaims = try flushes()
        for _ in 0..<100 {
            jobs += try queue.claim(on: db, worker: "w", limit: 1)
            _ = try queue.heartbeat(on: db, jobID: jobs.last!.id, token: jobs.last!.leaseToken, progress: #"{"rows": 1}"#)
            _ = try queue.heartbeat(on: db, jobs: [jobs.last!])
        }
        let claimFlushes = try flushes() - beforeClaims
        for job in jobs { #expect(try queue.complete(on: db, jobID: job.id, token: job.leaseToken)) }
        let completionFlushes = try flushes() - beforeClaims - claimFlushes
        #expect(jobs.count == 100 && Set(jobs.map(\.id)).count == 100)
        // 300 lease writes: a few flushes by the WAL writer, far from one each.
        #expect(claimFlushes < 60, "\(claimFlushes) WAL flushes for 100 claims and 200 heartbeats")
        #expect(completionFlushes >= 100, "\(completionFlushes) WAL flushes for 100 completions")
        // Inside a caller's transaction the clause is left out: that commit is the caller's.
        try db.withTransaction { tx in
            _ = try queue.claim(on: tx, worker: "w", limit: 1)
            #expect(try tx.query("show synchronous_commit").first?.decode("synchronous_commit", as: String.self) == "on")
        }
    }

    /// Migration 0012: the plan key lives in spectra.job_keys, so a claim or completion
    /// maintains no unique index on spectra.jobs but its primary key; inserts still skip
    /// a planned key, and a deleted job's key can be planned again.
    @Test func thePlanKeyStaysUniqueOutsideTheJobsTable() throws {
        let db = try ProtocolTests.queueWithJobs(2)
        let insert = "insert into spectra.jobs (run_id, kind, checkpoint_id, layer) values (1, 'weights', 1, 0), (1, 'weights', 1, 5), (1, 'weights', 1, 5)"
        #expect(try db.execute(SQLQuery(stringLiteral: insert)) == 1, "layer 0 was planned already, layer 5 once")
        #expect(try Self.count(db, "select count(*)::int as n from spectra.jobs") == 3)
        #expect(try Self.count(db, "select count(*)::int as n from spectra.job_keys") == 3)
        #expect(try Self.count(db, """
            select count(*)::int as n from pg_index where indrelid = 'spectra.jobs'::regclass and indisunique
            """) == 1, "only the primary key")
        try db.unsafeExecute("delete from spectra.jobs where layer = 5")
        #expect(try db.execute(SQLQuery("insert into spectra.jobs (run_id, kind, checkpoint_id, layer) values (1, 'weights', 1, 5)")) == 1)
    }
}
