import Foundation
import Postgres
import Testing
@testable import Queue

/// Migrations 0013 and 0014: the protocol's lookups read the jobs they are about, not
/// every running job or every job of the queue.
@Suite struct LookupCostTests {
    let queue = JobQueue(leaseSeconds: 30)

    /// Rows of spectra.jobs that statements in this database have read so far: heap
    /// tuples fetched through an index plus those read by sequential scans, as the
    /// cumulative statistics count them.
    static func jobRowsRead(_ db: Connection) throws -> Int {
        try CompletionHotPathTests.statistic(db, """
            select (coalesce(idx_tup_fetch, 0) + seq_tup_read)::int as n
              from pg_stat_user_tables where relid = 'spectra.jobs'::regclass
            """)
    }

    /// Oracle: a batch of 10 held among 2,010 running jobs. Before 0013 a heartbeat and a
    /// completion each read all 2,010 through the running index. Probing ids reads each
    /// of the 10 once, plus whatever the index finds dead; 50 leaves room for that and
    /// stays far below 2,010.
    @Test func aBatchReadsItsOwnJobsHoweverManyAreRunning() throws {
        let db = try ProtocolTests.queueWithJobs(2_020)
        // Statistics gathered while nothing ran, as on a queue analysed before its
        // workers started: the planner then expects a handful of running jobs.
        try db.unsafeExecute("analyze spectra.jobs")
        #expect(try queue.claim(on: db, worker: "others", limit: 2_000).count == 2_000)
        let mine = try queue.claim(on: db, worker: "w", limit: 10)
        #expect(mine.count == 10)

        let start = try Self.jobRowsRead(db)
        #expect(try queue.heartbeat(on: db, jobs: mine) == Set(mine.map(\.id)))
        let afterHeartbeat = try Self.jobRowsRead(db)
        #expect(try Set(queue.complete(on: db, jobs: mine)) == Set(mine.map(\.id)))
        let afterCompletion = try Self.jobRowsRead(db)

        #expect(afterHeartbeat - start <= 50, "a batched heartbeat of 10 read \(afterHeartbeat - start) job rows")
        #expect(afterCompletion - afterHeartbeat <= 50, "a batched completion of 10 read \(afterCompletion - afterHeartbeat) job rows")
    }

    /// Fencing is unchanged: each id must come with its own token. A batch whose tokens
    /// are swapped, or cut short, touches nothing it was not given the token for.
    @Test func eachIdNeedsItsOwnToken() throws {
        let db = try ProtocolTests.queueWithJobs(3)
        let jobs = try queue.claim(on: db, worker: "w", limit: 3)
        #expect(jobs.count == 3)
        func ids(_ function: String, _ ids: [Int64], _ tokens: [UUID]) throws -> [Int64] {
            let extra = function == "heartbeat_jobs" ? ", 30" : ""
            return try db.query(SQLQuery("select spectra.\(unsafeRaw: function)(\(ids), \(tokens)\(unsafeRaw: extra)) as id"))
                .map { try $0.decode("id", as: Int64.self) }
        }
        let swapped = [jobs[1].leaseToken, jobs[0].leaseToken]
        #expect(try ids("heartbeat_jobs", [jobs[0].id, jobs[1].id], swapped).isEmpty)
        #expect(try ids("complete_jobs", [jobs[0].id, jobs[1].id], swapped).isEmpty)
        #expect(try ids("complete_jobs", jobs.map(\.id), [jobs[0].leaseToken]) == [jobs[0].id], "tokens cut short")
        #expect(try Set(queue.complete(on: db, jobs: Array(jobs.dropFirst()))) == Set(jobs.dropFirst().map(\.id)))
        #expect(try CompletionHotPathTests.count(db, "select count(*)::int as n from spectra.jobs where state = 'completed' and completions = 1") == 3)
    }

    /// Oracle: 3,000 completed jobs and one waiting on a dependency. Before 0014 a "no"
    /// read all 3,001 rows by a sequential scan. Each part now reads a partial index
    /// whose rows are the candidates, so a "no" reads none and a "yes" a few (50 as
    /// slack, as above). The answers are checked for each part.
    @Test func outstandingWorkReadsOnlyUnfinishedJobs() throws {
        let db = try ProtocolTests.queueWithJobs(0)
        try db.unsafeExecute("""
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, state)
            select 1, 'weights', 1, l, 'completed' from generate_series(0, 2999) as l;
            insert into spectra.jobs (run_id, kind, checkpoint_id, state, pending_dependencies)
            values (1, 'extract', 1, 'available', 1);
            analyze spectra.jobs;
            """)
        let start = try Self.jobRowsRead(db)
        #expect(try !queue.hasOutstandingWork(on: db, kinds: ["weights"]))
        #expect(try !queue.hasOutstandingWork(on: db, kinds: ["spectrum"]))
        #expect(try queue.hasOutstandingWork(on: db, kinds: ["extract"]), "waits on a dependency")
        #expect(try queue.hasOutstandingWork(on: db))
        let read = try Self.jobRowsRead(db) - start
        #expect(read <= 50, "four questions read \(read) job rows")

        try db.unsafeExecute("update spectra.jobs set paused = true where kind = 'extract'")
        #expect(try !queue.hasOutstandingWork(on: db), "a paused run waits for an operator")
        try db.unsafeExecute("""
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer) values (1, 'weights', 1, 5000);
            """)
        #expect(try queue.hasOutstandingWork(on: db, kinds: ["weights"]), "claimable")
        #expect(try queue.claim(on: db, worker: "w", limit: 1).count == 1)
        #expect(try queue.hasOutstandingWork(on: db, kinds: ["weights"]), "running")
        #expect(try !queue.hasOutstandingWork(on: db, kinds: ["spectrum", "extract"]))
    }
}
