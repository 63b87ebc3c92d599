import Foundation
import Logging
import Postgres
import PostgresTestSupport
import Synchronization
import Testing
@testable import Queue

/// spectra.job_counts (0020) against the jobs themselves: the counters `spectra status`
/// reads must equal `count(*) … group by` in every snapshot, whatever the queue does
/// concurrently. Oracle: the same snapshot's count of spectra.jobs by run, kind and
/// status bucket (spectra.job_bucket); the comparison is exact (integer counts).
@Suite struct JobCountsTests {
    /// What the threads share.
    final class Shared: Sendable {
        let errors = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let checks = Mutex<(snapshots: Int, bad: Int)>((0, 0))
        let deadlocks = Atomic<Int>(0)

        /// Runs `body`; a deadlock between the queue's own row locks (a run control's bulk
        /// update against a worker's batch, which PostgreSQL breaks by aborting one) is
        /// counted and the step skipped, as a worker retries it. The counters take no row
        /// locks, so they cannot be part of one.
        func toleratingDeadlocks(_ body: () throws -> Void) throws {
            do {
                try body()
            } catch let error as PostgresError {
                guard error.sqlState == "40P01" else { throw error }
                deadlocks.add(1, ordering: .relaxed)
            }
        }
    }

    /// Keys where the counters and the jobs disagree, read in one snapshot.
    static let mismatches = """
        select count(*)::int as n from (
            select run_id, kind, bucket, sum(jobs) as n from spectra.job_counts group by 1, 2, 3 having sum(jobs) <> 0
        ) c full join (
            select run_id, kind, spectra.job_bucket(state, pending_dependencies, paused) as bucket, count(*) as n
              from spectra.jobs group by 1, 2, 3
        ) j using (run_id, kind, bucket)
         where c.n is distinct from j.n
        """

    /// Two runs of `checkpoints` checkpoints: an extract job each, 4 spectrum jobs blocked
    /// on it (as the planner inserts them) and 4 weights jobs.
    static func plannedQueue(checkpoints: Int) throws -> String {
        var logger = Logger(label: "spectra.tests")
        logger.logLevel = .warning
        let url = try TemporaryDatabase.create(logger: logger)
        let db = try Connection(url: url)
        _ = try Migrator(directory: ProtocolTests.migrations, schema: "spectra", logger: logger).migrate(db)
        try db.unsafeExecute("""
            insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
                values ('m', 'local', 'GPTNeoXForCausalLM', 4, 8, '/nowhere');
            insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                select 1, 'step' || s, s, s, '/nowhere' from generate_series(1, \(checkpoints)) s;
            insert into spectra.runs (name, family, config) values ('a', 'local', '{}'), ('b', 'local', '{}');
            insert into spectra.jobs (run_id, kind, checkpoint_id, max_attempts)
                select r.id, 'extract', c.id, 2 from spectra.runs r, spectra.checkpoints c;
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, pooling, pending_dependencies, max_attempts)
                select r.id, 'spectrum', c.id, l, 'last', 1, 2 from spectra.runs r, spectra.checkpoints c, generate_series(0, 3) l;
            insert into spectra.job_dependencies (job_id, depends_on)
                select s.id, e.id from spectra.jobs s join spectra.jobs e
                    on (e.run_id, e.checkpoint_id, e.kind) = (s.run_id, s.checkpoint_id, 'extract') where s.kind = 'spectrum';
            insert into spectra.jobs (run_id, kind, checkpoint_id, layer, max_attempts)
                select r.id, 'weights', c.id, l, 2 from spectra.runs r, spectra.checkpoints c, generate_series(0, 3) l;
            """)
        return url
    }

    /// Runs `body(0)` … `body(count - 1)` each on a thread of its own; returns when all end.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread { body(index); group.leave() }.start()
        }
        group.wait()
    }

    static func count(_ db: Connection, _ sql: String) throws -> Int {
        try db.query(SQLQuery(unsafeSQL: sql)).first?.decode("n", as: Int.self) ?? -1
    }

    @Test func countersStayExactUnderConcurrentClaimsCompletionsFailuresAndReaping() throws {
        let url = try Self.plannedQueue(checkpoints: 30)
        let monitor = try Connection(url: url)
        #expect(try Self.count(monitor, "select count(*)::int as n from spectra.jobs") == 540)
        #expect(try Self.count(monitor, Self.mismatches) == 0)

        let shared = Shared()
        // Six workers doing everything a worker does, short leases so that some expire and
        // are reaped; one thread reaping (and compacting), pausing, resuming and retrying;
        // one reading the counters against the jobs while all that happens.
        // Threads of their own: the loops wait on each other, so a pool sized to the cores
        // (concurrentPerform) could run the readers alone, forever.
        Self.onThreads(8) { index in
            do {
                let db = try Connection(url: url)
                if index == 6 {
                    let controls = RunControls()
                    var round = 0
                    while !shared.stop.load(ordering: .relaxed) {
                        try shared.toleratingDeadlocks {
                            _ = try JobQueue().reapExpired(on: db)
                            switch round % 6 {
                            case 1: _ = try controls.pause(run: 2, on: db)
                            case 3: _ = try controls.resume(run: 2, on: db)
                            case 5: _ = try controls.retry(run: 1, on: db)
                            default: break
                            }
                        }
                        round += 1
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    return
                }
                if index == 7 {
                    while !shared.stop.load(ordering: .relaxed) {
                        let bad = try Self.count(db, Self.mismatches)
                        shared.checks.withLock { $0.snapshots += 1; $0.bad += bad }
                    }
                    return
                }
                var random = SystemRandomNumberGenerator()
                let deadline = Date().addingTimeInterval(6)
                let worker = "node\(index):\(1000 + index)/0"
                while Date() < deadline {
                    try shared.toleratingDeadlocks {
                        let queue = JobQueue(leaseSeconds: Double.random(in: 0.2...2, using: &random))
                        let jobs = try queue.claim(on: db, worker: worker, limit: Int.random(in: 1...4, using: &random))
                        if jobs.isEmpty { Thread.sleep(forTimeInterval: 0.01); return }
                        switch Int.random(in: 0..<10, using: &random) {
                        case 0...2:
                            _ = try db.withTransaction { tx in try queue.complete(on: tx, jobs: jobs) }
                        case 3:
                            do {
                                _ = try db.withTransaction { tx in
                                    try queue.completeAndClaim(on: tx, jobID: jobs[0].id, token: jobs[0].leaseToken,
                                                               worker: worker, limit: 2)
                                }
                            } catch is QueueError {
                                // The short lease expired first: rolled back, as a worker would.
                            }
                        default:
                            _ = try queue.heartbeat(on: db, jobs: jobs)
                            for job in jobs {
                                switch Int.random(in: 0..<8, using: &random) {
                                case 0: _ = try queue.fail(on: db, jobID: job.id, token: job.leaseToken, error: "transient", permanent: false)
                                case 1: _ = try queue.fail(on: db, jobID: job.id, token: job.leaseToken, error: "bad input", permanent: true)
                                case 2: _ = try queue.release(on: db, jobID: job.id, token: job.leaseToken, progress: nil)
                                case 3 where job.kind == "spectrum":
                                    _ = try queue.redoDependency(on: db, jobID: job.id, token: job.leaseToken, reason: "artifact lost")
                                case 4: break // abandoned: its lease expires and the reaper takes it back
                                default:
                                    _ = try db.withTransaction { tx in try queue.complete(on: tx, jobID: job.id, token: job.leaseToken) }
                                }
                            }
                        }
                    }
                }
                if index == 0 { shared.stop.store(true, ordering: .relaxed) }
            } catch {
                shared.errors.withLock { $0.append("thread \(index): \(error)") }
                shared.stop.store(true, ordering: .relaxed)
            }
        }
        #expect(shared.errors.withLock { $0 }.isEmpty, "\(shared.errors.withLock { $0 })")
        let seen = shared.checks.withLock { $0 }
        #expect(seen.snapshots > 0 && seen.bad == 0, "\(seen.bad) mismatched keys over \(seen.snapshots) snapshots")

        // Everything happened: completions, failures of each kind, waiting and paused jobs.
        let states = try monitor.query("select state::text as s, count(*)::int as n from spectra.jobs group by 1")
            .reduce(into: [String: Int]()) { $0[try $1.decode("s", as: String.self)] = try $1.decode("n", as: Int.self) }
        #expect((states["completed"] ?? 0) > 0 && (states["failed"] ?? 0) > 0, "\(states)")
        #expect(try Self.count(monitor, Self.mismatches) == 0)

        // After compaction: one row per key, the same sums; and status reads them.
        _ = try monitor.query("select spectra.compact_job_counts()")
        #expect(try Self.count(monitor, "select count(*)::int as n from (select 1 from spectra.job_counts group by run_id, kind, bucket having count(*) > 1) x") == 0)
        #expect(try Self.count(monitor, Self.mismatches) == 0)
        let status = try QueueStatus.load(url: url)
        for run in status.runs {
            for kind in run.kinds {
                let row = try #require(try monitor.query(SQLQuery("""
                    select count(*) filter (where state = 'available' and pending_dependencies = 0 and not paused)::int as available,
                           count(*) filter (where state = 'available' and pending_dependencies > 0)::int as waiting,
                           count(*) filter (where state = 'available' and pending_dependencies = 0 and paused)::int as paused,
                           count(*) filter (where state = 'running')::int as running,
                           count(*) filter (where state = 'completed')::int as completed,
                           count(*) filter (where state = 'failed')::int as failed,
                           count(*) filter (where state = 'discarded')::int as discarded
                      from spectra.jobs where run_id = \(run.id) and kind = \(kind.kind)
                    """)).first)
                let expected = [try row.decode("available", as: Int.self), try row.decode("waiting", as: Int.self),
                                try row.decode("paused", as: Int.self), try row.decode("running", as: Int.self),
                                try row.decode("completed", as: Int.self), try row.decode("failed", as: Int.self),
                                try row.decode("discarded", as: Int.self)]
                #expect([kind.available, kind.waiting, kind.paused, kind.running, kind.completed, kind.failed, kind.discarded] == expected,
                        "run \(run.name) \(kind.kind)")
            }
        }
    }

    @Test func insertsDeletesAndTheRateWindowAreCounted() throws {
        let url = try Self.plannedQueue(checkpoints: 3)
        let db = try Connection(url: url)
        // 2 runs × 3 checkpoints × (1 extract + 4 spectrum + 4 weights).
        #expect(try Self.count(db, "select sum(jobs)::int as n from spectra.job_counts") == 54)
        let queue = JobQueue(leaseSeconds: 30)
        let jobs = try queue.claim(on: db, worker: "w", limit: 3, kinds: ["weights"])
        #expect(try db.withTransaction { tx in try queue.complete(on: tx, jobs: jobs) }.count == 3)
        // Completions just now: the window sees them (runs younger than the window).
        let weights = try QueueStatus.load(url: url).runs.compactMap { $0.kinds.first { $0.kind == "weights" } }
        #expect(weights.count == 2)
        #expect(weights.map(\.completed).reduce(0, +) == 3 && weights.map(\.available).reduce(0, +) == 21)
        #expect(weights.allSatisfy { ($0.completed > 0) == ($0.throughput > 0) }, "\(weights)")
        // Deleting jobs (no results reference them) takes them out of the counts.
        try db.unsafeExecute("delete from spectra.job_dependencies; delete from spectra.jobs where kind = 'spectrum'")
        #expect(try Self.count(db, "select sum(jobs)::int as n from spectra.job_counts") == 30)
        #expect(try Self.count(db, Self.mismatches) == 0)
        #expect(try QueueStatus.load(url: url, run: "a").runs[0].kinds.map(\.kind) == ["extract", "weights"])
        // Triggers bypassed (as a data-only restore may): recount_jobs() repairs the counts.
        try db.unsafeExecute("set session_replication_role = replica; update spectra.jobs set state = 'failed'; reset session_replication_role")
        #expect(try Self.count(db, Self.mismatches) > 0)
        #expect(try Self.count(db, "select spectra.recount_jobs()::int as n") == 30)
        #expect(try Self.count(db, Self.mismatches) == 0)
    }
}
