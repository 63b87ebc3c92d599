/// The worker's view of one lease, as a pure state machine: it decides when to send a
/// heartbeat and when the lease must be considered lost. The database alone decides
/// whether a lease is valid; this only keeps the worker from writing when it cannot be
/// sure it still holds one. Times are seconds on the worker's monotonic clock and are
/// used for scheduling only.
public struct LeaseTracker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Held, last confirmed by the database at `confirmedAt`.
        case held(confirmedAt: Double)
        /// Lost: the database rejected a heartbeat, or none got through for a whole lease.
        case lost(reason: String)
        /// Given up by this worker (completed, failed or released).
        case finished
    }

    public enum Event: Sendable, Equatable {
        /// The database extended the lease.
        case heartbeatConfirmed(at: Double)
        /// The database answered that the token no longer holds the job.
        case heartbeatRejected
        /// The heartbeat did not reach the database (connection lost, timeout).
        case heartbeatFailed(at: Double, error: String)
        /// The worker finished with the job (completion, failure or release sent).
        case finished
    }

    public let leaseSeconds: Double
    public private(set) var state: State

    /// A heartbeat every third of the lease leaves two more tries before it expires.
    public var heartbeatInterval: Double { leaseSeconds / 3 }

    /// Starts tracking a lease the database granted at `claimedAt`.
    public init(leaseSeconds: Double, claimedAt: Double) {
        self.leaseSeconds = leaseSeconds
        self.state = .held(confirmedAt: claimedAt)
    }

    /// Whether a heartbeat should be sent at `now`.
    public func heartbeatDue(now: Double) -> Bool {
        guard case .held(let confirmedAt) = state else { return false }
        return now - confirmedAt >= heartbeatInterval
    }

    /// Whether the worker may still write results for this job at `now`. Stops a little
    /// before the lease would run out, since the clocks of worker and database drift.
    public func mayWrite(now: Double) -> Bool {
        guard case .held(let confirmedAt) = state else { return false }
        return now - confirmedAt < leaseSeconds * 0.9
    }

    /// Applies an event.
    public mutating func apply(_ event: Event) {
        switch (state, event) {
        case (.finished, _), (.lost, _):
            return
        case (_, .finished):
            state = .finished
        case (.held, .heartbeatConfirmed(let at)):
            state = .held(confirmedAt: at)
        case (.held, .heartbeatRejected):
            state = .lost(reason: "the database rejected the heartbeat: the lease expired or another worker holds the job")
        case (.held(let confirmedAt), .heartbeatFailed(let at, let error)):
            if at - confirmedAt >= leaseSeconds {
                state = .lost(reason: "no heartbeat reached the database for \(Int(at - confirmedAt)) s (last error: \(error))")
            }
        }
    }

    /// Whether the lease is lost.
    public var isLost: Bool {
        if case .lost = state { return true }
        return false
    }
}
