import Foundation
import Postgres

/// The job protocol's client side: thin calls to the SQL functions of migration 0002.
/// All timing decisions (lease expiry, backoff) are made by the database's clock.
public struct JobQueue: Sendable {
    public let leaseSeconds: Double

    public init(leaseSeconds: Double = 60) {
        self.leaseSeconds = leaseSeconds
    }

    /// Claims up to `limit` claimable jobs for `worker`, optionally of the given kinds only.
    public func claim(on connection: Connection, worker: String, limit: Int = 1,
                      kinds: [String]? = nil) throws(PostgresError) -> [ClaimedJob] {
        let rows = try connection.query(SQLQuery(
            "select * from spectra.claim_jobs(\(worker)::text, \(limit)::int, \(leaseSeconds), \(kinds)::text[])",
            name: "claim_jobs"))
        var jobs: [ClaimedJob] = []
        for row in rows { jobs.append(try ClaimedJob(row: row)) }
        return jobs
    }

    /// Extends the lease; false means the lease is lost and nothing may be written.
    public func heartbeat(on connection: Connection, jobID: Int64, token: UUID,
                          progress: String?) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select spectra.heartbeat_job(\(jobID), \(token), \(leaseSeconds), \(progress.map { JSON(raw: $0) })) as ok",
            name: "heartbeat_job"))
        return try rows.first?.decode("ok", as: Bool.self) ?? false
    }

    /// Marks the job completed inside the caller's transaction; false means the lease
    /// was lost and the caller must roll back.
    public func complete(on connection: Connection, jobID: Int64, token: UUID) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select spectra.complete_job(\(jobID), \(token)) as ok", name: "complete_job"))
        return try rows.first?.decode("ok", as: Bool.self) ?? false
    }

    /// Records a failure; returns the job's new state, or nil if the lease was already lost.
    public func fail(on connection: Connection, jobID: Int64, token: UUID, error: String,
                     permanent: Bool) throws(PostgresError) -> String? {
        let rows = try connection.query(SQLQuery(
            "select spectra.fail_job(\(jobID), \(token), \(error), \(permanent))::text as state",
            name: "fail_job"))
        return try rows.first?.decode("state", as: String?.self)
    }

    /// Gives the job back without counting the attempt, saving its progress.
    public func release(on connection: Connection, jobID: Int64, token: UUID,
                        progress: String?) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select spectra.release_job(\(jobID), \(token), \(progress.map { JSON(raw: $0) })) as ok",
            name: "release_job"))
        return try rows.first?.decode("ok", as: Bool.self) ?? false
    }

    /// Returns expired leases to the queue; any worker may call it.
    @discardableResult
    public func reapExpired(on connection: Connection) throws(PostgresError) -> Int {
        let rows = try connection.query(SQLQuery("select spectra.reap_expired_jobs() as n", name: "reap_expired_jobs"))
        return try rows.first?.decode("n", as: Int.self) ?? 0
    }

    /// Whether any job of these kinds may still need a worker: available (now or after a
    /// backoff) or running under some lease.
    public func hasOutstandingWork(on connection: Connection, kinds: [String]? = nil) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            """
            select exists (select 1 from spectra.jobs
                            where state in ('available', 'running')
                              and (\(kinds)::text[] is null or kind = any (\(kinds)::text[]))) as busy
            """, name: "outstanding_work"))
        return try rows.first?.decode("busy", as: Bool.self) ?? false
    }

    /// How the job stands now, to settle a completion whose commit was cut off by a lost
    /// connection: `completedByUs` means the commit went through.
    public func settle(on connection: Connection, jobID: Int64, token: UUID) throws(PostgresError) -> Settlement {
        let rows = try connection.query(SQLQuery(
            """
            select state::text as state, lease_token = \(token) as ours,
                   coalesce(lease_expires_at > now(), false) as live
              from spectra.jobs where id = \(jobID)
            """, name: "settle_job"))
        guard let row = rows.first else { return .lost }
        let state = try row.decode("state", as: String.self)
        let ours = try row.decode("ours", as: Bool?.self) ?? false
        let live = try row.decode("live", as: Bool.self)
        switch (state, ours, live) {
        case ("completed", true, _): return .completedByUs
        case ("running", true, true): return .stillHeld
        default: return .lost
        }
    }

    /// The outcome of `settle`.
    public enum Settlement: Sendable, Equatable {
        case completedByUs, stillHeld, lost
    }
}
