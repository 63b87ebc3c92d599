import Foundation

/// One run's progress.
public struct RunStatus: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var paused: Bool
    public var cancelled: Bool
    public var kinds: [KindStatus]
    /// Worker processes (`host:pid`) holding a live lease on a job of this run.
    public var workers: Int
    /// Worker slots holding a live lease (a process runs `--concurrency` slots).
    public var slots: Int
    public var failures: [Failure]

    /// One kind of job within a run.
    public struct KindStatus: Codable, Sendable, Equatable {
        public var kind: String
        /// Claimable now or after a backoff.
        public var available: Int
        /// Waiting for dependencies to complete.
        public var waiting: Int
        /// Held back because the run is paused.
        public var paused: Int
        public var running: Int
        public var completed: Int
        public var failed: Int
        public var discarded: Int
        /// Completions per second over the window.
        public var throughput: Double
        /// Seconds until the unfinished jobs are done at that rate; nil when nothing moves.
        public var etaSeconds: Double?

        public var total: Int { available + waiting + paused + running + completed + failed + discarded }
        public var unfinished: Int { available + waiting + paused + running }

        enum CodingKeys: String, CodingKey {
            case kind, available, waiting, paused, running, completed, failed, discarded, throughput
            case etaSeconds = "eta_seconds"
        }
    }

    /// A failure message shared by `count` jobs that ended failed or discarded.
    public struct Failure: Codable, Sendable, Equatable {
        public var kind: String
        public var state: String
        public var count: Int
        public var message: String
    }
}
