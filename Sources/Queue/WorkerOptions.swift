import Foundation

/// How a worker process runs.
public struct WorkerOptions: Sendable {
    /// libpq connection string of the queue's database.
    public var databaseURL: String
    /// Jobs run at once, each on its own thread with its own connection.
    public var concurrency: Int = 1
    /// Only these kinds are claimed (nil: all kinds this worker has handlers for).
    public var kinds: [String]?
    /// Exit when no job is left that could still need a worker.
    public var drain: Bool = false
    /// Jobs each slot claims at once and runs in turn, every one under its own
    /// heartbeated lease: fewer claim round trips for short jobs.
    public var claimBatch: Int = 1
    public var leaseSeconds: Double = 60
    /// How long to wait between claims when the queue is empty.
    public var pollSeconds: Double = 1
    /// After SIGTERM, how long running jobs get to save progress before they are released.
    public var gracePeriodSeconds: Double = 25
    /// Identity stored in `leased_by` and in result rows.
    public var name: String

    public init(databaseURL: String, name: String = WorkerOptions.defaultName()) {
        self.databaseURL = databaseURL
        self.name = name
    }

    /// `host:pid`, unique enough on a cluster where pids repeat across nodes.
    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// What a worker did before it exited.
public struct WorkerSummary: Sendable, Equatable {
    public var completed = 0
    public var failed = 0
    public var released = 0
    public var lost = 0
    /// Infrastructure faults met (lost connection, server restart, artifact store I/O
    /// error) and retried without spending an attempt.
    public var infrastructureFaults = 0
    /// Set when the worker stopped on an error no retry could cure.
    public var stoppedBy: String?
    /// The worker stopped because it was asked to (SIGTERM/SIGINT), not because it
    /// drained: a scheduler that reads exit codes must not count it as done.
    public var interrupted = false

    public init() {}
}
