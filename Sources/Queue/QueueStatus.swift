import Foundation
import Postgres

/// What `spectra status` shows: per run and job kind, counts by state, throughput, ETA,
/// live workers (from unexpired leases) and the most common failures.
public struct QueueStatus: Codable, Sendable, Equatable {
    /// The database's clock when the status was read.
    public var readAt: Date
    /// Completions are counted over this many seconds (or the run's age, if shorter).
    public var windowSeconds: Double
    public var runs: [RunStatus]

    enum CodingKeys: String, CodingKey {
        case readAt = "read_at", windowSeconds = "window_seconds", runs
    }
}

extension QueueStatus {
    /// Reads the status of every run, or of the run `run` (an id or a name).
    public static func load(url: String, run: String? = nil, window: Double = 300, failures: Int = 5) throws -> QueueStatus {
        let db = try Connection(url: url)
        let now = try db.query(SQLQuery("select now() as now", name: "status_now")).first?.decode("now", as: Date.self) ?? Date()
        let runRows = try db.query(SQLQuery(
            """
            select id, name, paused_at is not null as paused, cancelled_at is not null as cancelled from spectra.runs
             where \(run)::text is null or id::text = \(run)::text or name = \(run)::text
             order by id
            """, name: "status_runs"))
        if let run, runRows.isEmpty {
            throw QueueError(.runNotFound, RunReference.notFoundMessage(run))
        }
        var runs: [RunStatus] = []
        for row in runRows {
            let id = try row.decode("id", as: Int64.self)
            let (workers, slots) = try loadWorkers(db, run: id)
            runs.append(RunStatus(id: id, name: try row.decode("name", as: String.self),
                                  paused: try row.decode("paused", as: Bool.self),
                                  cancelled: try row.decode("cancelled", as: Bool.self),
                                  kinds: try loadKinds(db, run: id, window: window), workers: workers, slots: slots,
                                  failures: try loadFailures(db, run: id, limit: failures)))
        }
        return QueueStatus(readAt: now, windowSeconds: window, runs: runs)
    }

    static func loadKinds(_ db: Connection, run: Int64, window: Double) throws -> [RunStatus.KindStatus] {
        // Counts from spectra.job_counts (kept by triggers on spectra.jobs); completions in
        // the window from the index on (run_id, completed_at), read once for all kinds. A
        // run younger than the window is measured over its age, so early rates are not
        // diluted.
        let rows = try db.query(SQLQuery(
            """
            with recent as materialized (
                select kind, count(*) as n from spectra.jobs
                 where run_id = \(run) and completed_at > now() - make_interval(secs => \(window))
                 group by kind
            )
            select c.kind,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'available'), 0)::bigint as available,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'waiting'), 0)::bigint as waiting,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'paused'), 0)::bigint as paused,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'running'), 0)::bigint as running,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'completed'), 0)::bigint as completed,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'failed'), 0)::bigint as failed,
                   coalesce(sum(c.jobs) filter (where c.bucket = 'discarded'), 0)::bigint as discarded,
                   coalesce((select r.n from recent r where r.kind = c.kind), 0) as recent,
                   greatest(1, least(\(window), extract(epoch from now() - min(c.first_created_at))))::float8 as span
              from spectra.job_counts c where c.run_id = \(run)
             group by c.kind having sum(c.jobs) > 0 order by c.kind
            """, name: "status_kinds"))
        return try rows.map { row in
            let recent = try row.decode("recent", as: Int.self)
            let throughput = Double(recent) / (try row.decode("span", as: Double.self))
            var kind = RunStatus.KindStatus(
                kind: try row.decode("kind", as: String.self), available: try row.decode("available", as: Int.self),
                waiting: try row.decode("waiting", as: Int.self), paused: try row.decode("paused", as: Int.self),
                running: try row.decode("running", as: Int.self), completed: try row.decode("completed", as: Int.self),
                failed: try row.decode("failed", as: Int.self), discarded: try row.decode("discarded", as: Int.self),
                throughput: throughput, etaSeconds: nil)
            if kind.unfinished == 0 {
                kind.etaSeconds = 0
            } else if throughput > 0 {
                kind.etaSeconds = Double(kind.unfinished) / throughput
            }
            return kind
        }
    }

    static func loadWorkers(_ db: Connection, run: Int64) throws -> (workers: Int, slots: Int) {
        // Slots are named `host:pid/slot`; the process is the part before the slash.
        let row = try db.query(SQLQuery(
            """
            select count(distinct split_part(leased_by, '/', 1)) as workers, count(distinct leased_by) as slots
              from spectra.jobs where run_id = \(run) and state = 'running' and lease_expires_at > now()
            """, name: "status_workers")).first
        return (try row?.decode("workers", as: Int.self) ?? 0, try row?.decode("slots", as: Int.self) ?? 0)
    }

    static func loadFailures(_ db: Connection, run: Int64, limit: Int) throws -> [RunStatus.Failure] {
        let rows = try db.query(SQLQuery(
            """
            select kind, state::text as state, count(*) as n, coalesce(last_error, 'no error recorded') as message
              from spectra.jobs where run_id = \(run) and state in ('failed', 'discarded')
             group by 1, 2, 4 order by n desc, message limit \(limit)::int
            """, name: "status_failures"))
        return try rows.map { row in
            RunStatus.Failure(kind: try row.decode("kind", as: String.self), state: try row.decode("state", as: String.self),
                              count: try row.decode("n", as: Int.self), message: try row.decode("message", as: String.self))
        }
    }
}
