import Foundation
import Postgres

/// A job this worker holds a lease on, as returned by `spectra.claim_jobs`.
public struct ClaimedJob: Sendable, Equatable {
    public let id: Int64
    public let runID: Int64
    public let kind: String
    public let checkpointID: Int64
    public let layer: Int?
    public let pooling: String?
    /// The job's arguments, a JSON object as text.
    public let args: String
    public let attempt: Int
    public let maxAttempts: Int
    /// Progress saved by an earlier holder that was preempted (JSON text), if any.
    public let progress: String?
    /// The fencing token: every write this worker makes for the job is checked against it.
    public let leaseToken: UUID

    init(row: Row) throws(PostgresError) {
        id = try row.decode("id", as: Int64.self)
        runID = try row.decode("run_id", as: Int64.self)
        kind = try row.decode("kind", as: String.self)
        checkpointID = try row.decode("checkpoint_id", as: Int64.self)
        layer = try row.decode("layer", as: Int?.self)
        pooling = try row.decode("pooling", as: String?.self)
        args = try row.decode("args", as: String.self)
        attempt = try row.decode("attempt", as: Int.self)
        maxAttempts = try row.decode("max_attempts", as: Int.self)
        progress = try row.decode("progress", as: String?.self)
        leaseToken = try row.decode("lease_token", as: UUID.self)
    }

    /// A short human name for logs and errors: `weights #12 (checkpoint 3, layer 2)`.
    public var label: String {
        var parts = ["checkpoint \(checkpointID)"]
        if let layer { parts.append("layer \(layer)") }
        if let pooling { parts.append("pooling \(pooling)") }
        return "\(kind) job #\(id) (\(parts.joined(separator: ", ")))"
    }
}
