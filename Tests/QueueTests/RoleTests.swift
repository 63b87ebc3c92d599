import Foundation
import PostgresTestSupport
import Postgres
import Testing
@testable import Queue

/// The roles of migration 0006: each can do its part and nothing more. Privileges are
/// checked with `set role`, as the login roles granted these roles would meet them.
@Suite struct RoleTests {
    let queue = JobQueue(leaseSeconds: 30)

    /// A database with jobs and one stored result, with the session switched to `role`.
    static func session(as role: String, jobs: Int = 2) throws -> Connection {
        let db = try ProtocolTests.queueWithJobs(jobs)
        try db.unsafeExecute("""
            insert into spectra.results (run_id, checkpoint_id, layer, source, rows, columns, eigenvalues, metrics, method, elapsed_seconds, worker)
                values (1, 1, 0, 'weights', 2, 2, '{1,2}', '{}', 'exact', 0.1, 'seed');
            select spectra.aggregate();
            set role \(role);
            """)
        return db
    }

    /// Whether `sql` is refused for lack of privilege (SQLSTATE 42501).
    static func refused(_ db: Connection, _ sql: String) -> Bool {
        do {
            try db.unsafeExecute(sql)
            return false
        } catch {
            return error.sqlState == "42501"
        }
    }

    /// The statement WeightsJob writes its rows with.
    static func upsertResult(_ job: ClaimedJob) -> SQLQuery {
        SQLQuery("""
            insert into spectra.results (run_id, checkpoint_id, layer, source, pooling, matrix, rows, columns,
                                         eigenvalues, metrics, method, elapsed_seconds, worker, job_id)
            values (\(job.runID), \(job.checkpointID), \(job.layer ?? 0), 'weights', '', 'attn.qkv', 2, 2,
                    \([Float(3), 1]), \(JSON(raw: "{}")), 'exact', 0.5, 'w', \(job.id))
            on conflict (run_id, checkpoint_id, layer, source, pooling, matrix) do update
               set eigenvalues = excluded.eigenvalues, metrics = excluded.metrics, worker = excluded.worker,
                   job_id = excluded.job_id, created_at = now()
            """)
    }

    @Test func workerRunsTheWholeProtocolAndWritesResults() throws {
        let db = try Self.session(as: "spectra_worker", jobs: 3)
        let jobs = try queue.claim(on: db, worker: "w", limit: 3)
        #expect(jobs.count == 3)
        #expect(try queue.heartbeat(on: db, jobID: jobs[0].id, token: jobs[0].leaseToken, progress: #"{"step": 1}"#))
        #expect(try queue.heartbeat(on: db, jobs: jobs).count == 3)
        let completed = try db.withTransaction { tx in
            guard try queue.complete(on: tx, jobID: jobs[0].id, token: jobs[0].leaseToken) else { return false }
            try tx.execute(Self.upsertResult(jobs[0]))
            try tx.execute(Self.upsertResult(jobs[0]))   // the upsert path of a retried job
            return true
        }
        #expect(completed)
        #expect(try queue.settle(on: db, jobID: jobs[0].id, token: jobs[0].leaseToken) == .completedByUs)
        #expect(try queue.fail(on: db, jobID: jobs[1].id, token: jobs[1].leaseToken, error: "oom", permanent: false) == "available")
        #expect(try queue.release(on: db, jobID: jobs[2].id, token: jobs[2].leaseToken, progress: nil))
        #expect(try queue.reapExpired(on: db) == 0)
        #expect(try queue.hasOutstandingWork(on: db))
    }

    @Test func workerCannotReadOrChangeTheQueueOrResultsDirectly() throws {
        let db = try Self.session(as: "spectra_worker")
        #expect(Self.refused(db, "select * from spectra.jobs"))
        #expect(Self.refused(db, "update spectra.jobs set state = 'completed'"))
        #expect(Self.refused(db, "insert into spectra.jobs (run_id, kind, checkpoint_id) values (1, 'weights', 1)"))
        #expect(Self.refused(db, "select * from spectra.checkpoints"))
        #expect(Self.refused(db, "select * from spectra.models"))
        #expect(Self.refused(db, "delete from spectra.results"))
        #expect(Self.refused(db, "truncate spectra.results"))
        #expect(Self.refused(db, "select * from spectra.runs"))
        #expect(Self.refused(db, "select * from spectra.layer_metrics"))
        #expect(Self.refused(db, "select spectra.cancel_run(1)"))
        #expect(Self.refused(db, "select spectra.retry_run(1)"))
        #expect(Self.refused(db, "select spectra.add_dependency(2, 1)"))
        #expect(Self.refused(db, "select spectra.fail_dependents(array[1]::bigint[])"))
        #expect(Self.refused(db, "create table spectra.mine (x int)"))
    }

    @Test func readerSeesThePublicViewOnly() throws {
        let db = try Self.session(as: "spectra_reader")
        let rows = try db.query(SQLQuery("select count(*) as n from spectra.layer_metrics"))
        #expect(try rows.first?.decode("n", as: Int.self) == 1)
        #expect(Self.refused(db, "select * from spectra.results"))
        #expect(Self.refused(db, "select * from spectra.jobs"))
        #expect(Self.refused(db, "select * from spectra.runs"))
        #expect(Self.refused(db, "select * from spectra.claim_jobs('r', 1, 30)"))
        #expect(Self.refused(db, "select spectra.reap_expired_jobs()"))
        #expect(Self.refused(db, "select spectra.pause_run(1)"))
        #expect(Self.refused(db, "insert into spectra.results (run_id, checkpoint_id, layer, source, rows, columns, eigenvalues, metrics, method, elapsed_seconds, worker) values (1, 1, 1, 'weights', 1, 1, '{1}', '{}', 'exact', 0, 'r')"))
        #expect(Self.refused(db, "select spectra.aggregate()"))
        #expect(Self.refused(db, "delete from spectra.layer_metrics"))
    }

    @Test func theRoleMigrationToleratesRolesThatExist() throws {
        // A second database on the same server runs every migration again, roles included.
        let first = try ProtocolTests.queueWithJobs(1)
        let second = try ProtocolTests.queueWithJobs(1)
        for db in [first, second] {
            let n = try db.query(SQLQuery("select count(*) as n from pg_roles where rolname in ('spectra_worker', 'spectra_reader')"))
            #expect(try n.first?.decode("n", as: Int.self) == 2)
        }
    }

    @Test func aWorkerProcessRunsUnderALoginGrantedOnlySpectraWorker() throws {
        let url = try TemporaryDatabase.create()
        #expect(try SpectraProcess.planBundledSeries(name: "least-privilege", url: url).status == 0)
        let login = "spectra_test_worker_" + UUID().uuidString.prefix(8).lowercased()
        let owner = try Connection(url: url)
        try owner.unsafeExecute("create role \(login) login in role spectra_worker")
        defer { try? owner.unsafeExecute("drop owned by \(login); drop role \(login)") }
        guard let user = url.range(of: #"user=[^&]*"#, options: .regularExpression) else {
            Issue.record("cannot set the user in \(url)")
            return
        }
        let workerURL = url.replacingCharacters(in: user, with: "user=\(login)")
        let work = try SpectraProcess.run(["work", "--drain"], url: workerURL)
        #expect(work.status == 0, "\(work.stderr)")
        #expect(work.stdout.contains("completed 56, failed 0"), "\(work.stdout)")
        let results = try owner.query(SQLQuery("select count(*) as n from spectra.results")).first?.decode("n", as: Int.self)
        #expect(results == 56 * 4)
    }
}
