import Foundation
import Logging
import Postgres

/// `spectra jobs retry|pause|resume|cancel --run ID`: an operator's controls over a run.
public struct RunControl: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case retry, pause, resume, cancel
    }

    /// What an action changed.
    public struct Outcome: Sendable, Equatable {
        public var runID: Int64
        public var runName: String
        public var action: Action
        /// Jobs the action changed.
        public var jobs: Int
    }

    let logger: Logger

    public init(logger: Logger = Logger(label: "spectra.jobs")) {
        self.logger = logger
    }

    /// Applies `action` to the run `run` (its id or its name).
    public func perform(_ action: Action, run: String, url: String) throws -> Outcome {
        let db = try Connection(url: url)
        let found = try RunReference.find(run, on: db)
        let (id, name) = (found.id, found.name)
        let controls = RunControls()
        let jobs: Int
        do {
            jobs = try db.withTransaction { tx in
                switch action {
                case .retry: try controls.retry(run: id, on: tx)
                case .pause: try controls.pause(run: id, on: tx)
                case .resume: try controls.resume(run: id, on: tx)
                case .cancel: try controls.cancel(run: id, on: tx)
                }
            }
        } catch {
            throw QueueError(.controlFailed, "\(action.rawValue) of run \(name) (#\(id)) failed: \(error)")
        }
        logger.info("\(action.rawValue) run \(name)", metadata: ["run": "\(id)", "jobs": "\(jobs)"])
        return Outcome(runID: id, runName: name, action: action, jobs: jobs)
    }
}
