/// An error of the job protocol, naming the job it concerns.
public struct QueueError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The lease was lost (expired, reaped or re-claimed): nothing may be written.
        case leaseLost = "lease_lost"
        /// The job was stopped on purpose (shutdown, preemption) and should be released.
        case cancelled
        /// A row from the jobs table could not be read.
        case malformedJob = "malformed_job"
        /// No run has the id or name an operator gave.
        case runNotFound = "run_not_found"
        /// An operator's control over a run could not be applied.
        case controlFailed = "control_failed"
        /// Spectra's SQL migrations are nowhere this process looks for them.
        case schemaNotFound = "schema_not_found"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// An error a job handler throws when retrying cannot help (the input itself is bad).
/// Any other error is taken as transient and retried with backoff.
public protocol PermanentJobFailure: Error {}

/// An error a job handler throws when the output of a job it depends on is unusable (an
/// artifact missing or not matching its checksum): the dependency runs again and this
/// job waits for it, instead of failing or computing from bad data.
public protocol RedoDependencyFailure: Error {}

/// An error a job handler throws when the machine, not the job, failed: the artifact
/// store's disk is full or gave an I/O error. The worker gives the job back without
/// counting the attempt (within the job's fault budget) and records the error.
public protocol InfrastructureFailure: Error {}
