import Foundation
import Postgres

/// The job protocol's client side: thin calls to the SQL functions of migrations 0002–0005.
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
            "select c.* from spectra.claim_jobs(\(worker)::text, \(limit)::int, \(leaseSeconds), \(kinds)::text[]) as c\(unsafeRaw: Self.asyncCommit(connection))",
            name: "claim_jobs"))
        var jobs: [ClaimedJob] = []
        for row in rows { jobs.append(try ClaimedJob(row: row)) }
        return jobs
    }

    /// A claim or a heartbeat sent on its own (not inside the caller's transaction)
    /// commits without waiting for the WAL flush: all it writes is a lease, and a lease
    /// lost in a server crash costs only a re-claim (the holder's next heartbeat or its
    /// completion finds the token gone and it writes nothing). Completions, failures and
    /// releases keep waiting for the flush. The clause joins the statement's FROM list,
    /// so it costs no round trip.
    static func asyncCommit(_ connection: Connection) -> String {
        connection.isInTransaction ? "" : ", set_config('synchronous_commit', 'off', true)"
    }

    /// Extends the lease; false means the lease is lost and nothing may be written.
    public func heartbeat(on connection: Connection, jobID: Int64, token: UUID,
                          progress: String?) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select h.ok from spectra.heartbeat_job(\(jobID), \(token), \(leaseSeconds), \(progress.map { JSON(raw: $0) })) as h(ok)\(unsafeRaw: Self.asyncCommit(connection))",
            name: "heartbeat_job"))
        return try rows.first?.decode("ok", as: Bool.self) ?? false
    }

    /// Extends the leases of several jobs in one round trip; returns the ids still held
    /// (for the others the lease is lost).
    public func heartbeat(on connection: Connection, jobs: [ClaimedJob]) throws(PostgresError) -> Set<Int64> {
        let rows = try connection.query(SQLQuery(
            "select h.id from spectra.heartbeat_jobs(\(jobs.map(\.id)), \(jobs.map(\.leaseToken)), \(leaseSeconds)) as h(id)\(unsafeRaw: Self.asyncCommit(connection))",
            name: "heartbeat_jobs"))
        var held: Set<Int64> = []
        for row in rows { held.insert(try row.decode("id", as: Int64.self)) }
        return held
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

    /// Sends the job's `extract` dependency back to the queue and the job to wait for it,
    /// without counting the attempt; returns the job's new state (nil: lease lost).
    public func redoDependency(on connection: Connection, jobID: Int64, token: UUID,
                               reason: String) throws(PostgresError) -> String? {
        let rows = try connection.query(SQLQuery(
            "select spectra.requeue_extract(\(jobID), \(token), \(reason))::text as state",
            name: "requeue_extract"))
        return try rows.first?.decode("state", as: String?.self)
    }

    /// Records an infrastructure fault the worker survived while still holding the lease
    /// (it is about to retry); the job's `last_error` keeps it even after it completes.
    /// False means the lease is lost.
    public func noteFault(on connection: Connection, jobID: Int64, token: UUID,
                          error: String) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select spectra.note_fault(\(jobID), \(token), \(error)) as ok", name: "note_fault"))
        return try rows.first?.decode("ok", as: Bool.self) ?? false
    }

    /// Gives the job back after an infrastructure fault, not counting the attempt while
    /// the job's fault budget lasts; returns its new state (nil: lease lost).
    public func retryAfterFault(on connection: Connection, jobID: Int64, token: UUID, error: String,
                                progress: String?) throws(PostgresError) -> String? {
        let rows = try connection.query(SQLQuery(
            "select spectra.retry_after_fault(\(jobID), \(token), \(error), \(progress.map { JSON(raw: $0) }))::text as state",
            name: "retry_after_fault"))
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

    /// Returns expired leases to the queue; any worker may call it. The same statement
    /// folds the rows of spectra.job_counts (what `spectra status` reads) into one per
    /// key, so that table stays small while workers run.
    @discardableResult
    public func reapExpired(on connection: Connection) throws(PostgresError) -> Int {
        let rows = try connection.query(SQLQuery(
            "select spectra.reap_expired_jobs() as n, spectra.compact_job_counts() as folded", name: "reap_expired_jobs"))
        return try rows.first?.decode("n", as: Int.self) ?? 0
    }

    /// Whether any job of these kinds may still need a worker: running under some lease,
    /// or available (now or after a backoff) in a run that is not paused.
    public func hasOutstandingWork(on connection: Connection, kinds: [String]? = nil) throws(PostgresError) -> Bool {
        let rows = try connection.query(SQLQuery(
            "select spectra.outstanding_work(\(kinds)::text[]) as busy", name: "outstanding_work"))
        return try rows.first?.decode("busy", as: Bool.self) ?? false
    }

    /// How the job stands now, to settle a completion whose commit was cut off by a lost
    /// connection: `completedByUs` means the commit went through.
    public func settle(on connection: Connection, jobID: Int64, token: UUID) throws(PostgresError) -> Settlement {
        let rows = try connection.query(SQLQuery(
            "select spectra.settle_job(\(jobID), \(token)) as standing", name: "settle_job"))
        switch try rows.first?.decode("standing", as: String.self) {
        case "completed": return .completedByUs
        case "held": return .stillHeld
        default: return .lost
        }
    }

    /// The outcome of `settle`.
    public enum Settlement: Sendable, Equatable {
        case completedByUs, stillHeld, lost
    }
}

extension JobQueue {
    /// Marks a batch completed inside the caller's transaction; returns the ids whose
    /// lease was still held. The caller writes results for those only.
    public func complete(on connection: Connection, jobs: [ClaimedJob]) throws(PostgresError) -> [Int64] {
        let rows = try connection.query(SQLQuery(
            "select spectra.complete_jobs(\(jobs.map(\.id)), \(jobs.map(\.leaseToken))) as id", name: "complete_jobs"))
        var done: [Int64] = []
        for row in rows { done.append(try row.decode("id", as: Int64.self)) }
        return done
    }

    /// Completes the job inside the caller's transaction (after its results are written)
    /// and claims up to `limit` more in the same transaction, so a busy worker commits
    /// once per job. Throws `QueueError.leaseLost` when the lease is no longer held; the
    /// caller's transaction is then aborted and must be rolled back, results included.
    public func completeAndClaim(on connection: Connection, jobID: Int64, token: UUID, worker: String,
                                 limit: Int, kinds: [String]? = nil) throws -> [ClaimedJob] {
        let query = SQLQuery(
            "select * from spectra.complete_and_claim(\(jobID), \(token), \(worker)::text, \(limit)::int, \(leaseSeconds), \(kinds)::text[])",
            name: "complete_and_claim")
        // Through Result rather than do/catch: a typed-throws catch with a where clause
        // here crashed swift-frontend 6.3.1 (MandatoryAllocBoxToStack).
        let outcome = Result { () throws(PostgresError) -> [Row] in try connection.query(query) }
        if case .failure(let error) = outcome, error.sqlState == Self.leaseLostState {
            throw QueueError(.leaseLost, error.message)
        }
        return try outcome.get().map { row throws(PostgresError) in try ClaimedJob(row: row) }
    }

    /// The SQLSTATE `spectra.complete_and_claim` raises when the lease is gone.
    static let leaseLostState = "SP001"
}
