import Foundation
import Postgres
import Testing
@testable import Queue

/// Pause, resume, cancel, retry and priority of a run, and the completion audit count
/// (migrations 0004 and 0005), against a real server.
@Suite struct RunControlTests {
    let queue = JobQueue(leaseSeconds: 30)
    let controls = RunControls()

    /// Run 1 holds jobs 1…`jobs`; run 2 (named 'other') holds `otherJobs` more.
    static func twoRuns(_ jobs: Int, otherJobs: Int) throws -> Connection {
        let db = try ProtocolTests.queueWithJobs(jobs)
        try db.execute(SQLQuery("""
            with run as (insert into spectra.runs (name, family, config) values ('other', 'local', '{}') returning id)
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer)
            select run.id, 'weights', 1, 1000 + l from run, generate_series(1, \(otherJobs)) as l
            """))
        return db
    }

    func runsOf(_ jobs: [ClaimedJob]) -> Set<Int64> { Set(jobs.map(\.runID)) }

    @Test func pauseStopsClaimsOfThatRunOnlyAndResumeRestoresThem() throws {
        let db = try Self.twoRuns(3, otherJobs: 2)
        let running = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(running.runID == 1)
        #expect(try controls.pause(run: 1, on: db) == 3, "two waiting jobs and the running one")
        let others = try queue.claim(on: db, worker: "w", limit: 10)
        #expect(runsOf(others) == [2])
        #expect(try queue.complete(on: db, jobs: others).count == 2)
        // A job released while its run is paused stays paused.
        #expect(try queue.release(on: db, jobID: running.id, token: running.leaseToken, progress: nil))
        #expect(try queue.claim(on: db, worker: "w", limit: 10).isEmpty)
        #expect(try !queue.hasOutstandingWork(on: db), "a draining worker does not wait on a paused run")
        // Jobs planned into a paused run start paused.
        try db.execute(SQLQuery("insert into spectra.jobs (run_id, kind, checkpoint_id, layer) values (1, 'weights', 1, 99)"))
        #expect(try queue.claim(on: db, worker: "w", limit: 10).isEmpty)
        #expect(try controls.resume(run: 1, on: db) == 4)
        #expect(try queue.claim(on: db, worker: "w", limit: 10).count == 4)
    }

    @Test func cancelFencesARunningJobAndDiscardsTheRest() throws {
        let db = try Self.twoRuns(3, otherJobs: 1)
        let running = try #require(try queue.claim(on: db, worker: "w", limit: 1).first)
        #expect(try controls.cancel(run: 1, on: db) == 3)
        #expect(try !queue.heartbeat(on: db, jobID: running.id, token: running.leaseToken, progress: nil),
                "the holder learns of the cancel at its next heartbeat")
        #expect(try !queue.complete(on: db, jobID: running.id, token: running.leaseToken), "and cannot complete")
        let after = try ProtocolTests.state(db, running.id)
        #expect(after.state == "discarded" && after.error == "run r (#1) was cancelled")
        #expect(runsOf(try queue.claim(on: db, worker: "w", limit: 10)) == [2])
        #expect(try controls.retry(run: 1, on: db) == 3, "a cancelled run can be retried")
        #expect(try queue.claim(on: db, worker: "w", limit: 10).count == 3)
    }

    @Test func retryGivesDiscardedJobsFreshAttemptsAndLeavesOthers() throws {
        let db = try ProtocolTests.queueWithJobs(2, maxAttempts: 1)
        let jobs = try queue.claim(on: db, worker: "w", limit: 2)
        _ = try queue.fail(on: db, jobID: jobs[0].id, token: jobs[0].leaseToken, error: "oom", permanent: false)
        #expect(try ProtocolTests.state(db, jobs[0].id).state == "discarded")
        #expect(try controls.retry(run: 1, on: db) == 1, "the running job is not touched")
        let retried = try #require(try queue.claim(on: db, worker: "w", limit: 5).first)
        #expect(retried.id == jobs[0].id && retried.attempt == 1)
        #expect(try ProtocolTests.state(db, jobs[1].id).state == "running")
    }

    @Test func unknownRunsAreNamedInTheError() throws {
        let db = try ProtocolTests.queueWithJobs(1)
        #expect { try controls.pause(run: 42, on: db) } throws: { "\($0)".contains("run #42 does not exist") }
    }

    @Test func higherPriorityIsClaimedFirstAndRunPriorityChangesTheOrder() throws {
        let db = try Self.twoRuns(2, otherJobs: 2)
        #expect(runsOf(try queue.claim(on: db, worker: "w", limit: 1)) == [1], "equal priority: oldest first")
        #expect(try controls.setPriority(10, run: 2, on: db) == 2)
        #expect(runsOf(try queue.claim(on: db, worker: "w", limit: 2)) == [2])
        #expect(runsOf(try queue.claim(on: db, worker: "w", limit: 2)) == [1])
    }

    @Test func completionsCountCommittedCompletionTransactionsOnly() throws {
        let db = try ProtocolTests.queueWithJobs(3)
        let jobs = try queue.claim(on: db, worker: "w", limit: 3)
        // A completion whose transaction rolls back (the results failed to write) leaves no count.
        struct ResultsFailed: Error {}
        #expect(throws: ResultsFailed.self) {
            try db.withTransaction { tx in
                #expect(try queue.complete(on: tx, jobID: jobs[0].id, token: jobs[0].leaseToken))
                throw ResultsFailed()
            }
        }
        #expect(try queue.complete(on: db, jobID: jobs[0].id, token: jobs[0].leaseToken))
        #expect(try !queue.complete(on: db, jobID: jobs[0].id, token: jobs[0].leaseToken), "a second completion is fenced")
        #expect(try queue.complete(on: db, jobs: Array(jobs.dropFirst())).count == 2)
        #expect(try queue.complete(on: db, jobs: jobs).isEmpty, "so is a second batch completion")
        let counts = try db.query(SQLQuery("select completions from spectra.jobs order by id")).map { try $0.decode("completions", as: Int.self) }
        #expect(counts == [1, 1, 1])
    }
}
