import Foundation
import Logging
import Postgres
import Synchronization

/// Runs one kind of job. Handlers are called on worker threads and must not keep state
/// between jobs that matters: everything a job needs comes from its row and the stores.
public protocol JobHandler: Sendable {
    /// Does the work and returns what to write when the job completes. Long-running
    /// handlers call `context.checkCancellation()` between steps and save progress with
    /// `context.saveProgress(_:)` so a preempted job can resume.
    func run(_ job: ClaimedJob, context: JobContext) throws -> JobCompletion
}

/// The writes that complete a job. They run in the same transaction as the state
/// change, checked by the lease token, so either both land or neither does.
public struct JobCompletion: Sendable {
    public let write: @Sendable (Connection) throws -> Void

    public init(write: @escaping @Sendable (Connection) throws -> Void) {
        self.write = write
    }
}

/// What a running handler can see of its job's lease, and its way to save progress.
public final class JobContext: Sendable {
    public let logger: Logger
    /// The worker's name as stored in `leased_by` and in result rows.
    public let workerName: String
    let state: Mutex<ActiveJobState>

    init(logger: Logger, workerName: String, tracker: LeaseTracker) {
        self.logger = logger
        self.workerName = workerName
        self.state = Mutex(ActiveJobState(tracker: tracker))
    }

    /// True once the lease is lost or the worker is shutting down.
    public var isCancelled: Bool { state.withLock { $0.tracker.isLost || $0.shutdownRequested } }

    /// Throws `QueueError` (.leaseLost or .cancelled) when the handler should stop now.
    public func checkCancellation() throws(QueueError) {
        let snapshot = state.withLock { ($0.tracker.state, $0.shutdownRequested) }
        if case .lost(let reason) = snapshot.0 { throw QueueError(.leaseLost, reason) }
        if snapshot.1 { throw QueueError(.cancelled, "the worker is shutting down") }
    }

    /// Records an infrastructure fault the handler rides out by retrying in place (a full
    /// artifact disk): the next heartbeat writes it to the job's `last_error`, where it
    /// stays when this lease completes the job, and no attempt is spent.
    public func noteFault(_ message: String) {
        state.withLock { $0.pendingFault = message }
    }

    /// Records progress (a JSON object as text); it travels with the next heartbeat and
    /// with a release, so the next claimer can resume from it.
    public func saveProgress(_ json: String) {
        state.withLock { $0.progress = json }
    }
}

/// Mutable state of a running job, shared by its slot thread and the heartbeat thread.
struct ActiveJobState: Sendable {
    var job: ClaimedJob?
    var tracker: LeaseTracker
    var progress: String?
    var shutdownRequested = false
    /// Set when the shutdown grace ran out and the main thread released the job itself.
    var releasedByRuntime = false
    /// A fault noted by the handler, not yet sent to the database.
    var pendingFault: String?
}
