import Foundation
import Logging

extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws
    /// (rethrowing its error). Nested calls use savepoints.
    @discardableResult
    public func withTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        var commitSent = false
        return try runTransaction(body, commitSent: &commitSent)
    }

    /// `withTransaction`, telling the caller whether COMMIT went to the server, after which
    /// a lost connection leaves the outcome unknown.
    func runTransaction<T>(_ body: (Connection) throws -> T, commitSent: inout Bool) throws -> T {
        let depth = transactionDepth
        let savepoint = "spectra_savepoint_\(depth)"
        try unsafeExecute(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        defer { transactionDepth = depth }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)", cause: error)
            throw error
        }
        if isInFailedTransaction {
            // COMMIT would silently roll back; the body must have caught a statement error.
            rollbackQuietly(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)", cause: nil)
            throw PostgresError(.queryFailed,
                "the transaction was aborted by a failed statement whose error was caught inside it; rolled back",
                sqlState: "25P02")
        }
        if depth == 0 {
            commitSent = true
            try unsafeExecute("COMMIT")
        } else {
            try unsafeExecute("RELEASE SAVEPOINT \(savepoint)")
        }
        return value
    }

    private func rollbackQuietly(_ statement: String, cause: (any Error)?) {
        do {
            try unsafeExecute(statement)
        } catch {
            // The original error matters more; a lost connection discards the transaction anyway.
            logger.warning("rollback failed", metadata: [
                "error": "\(error)", "cause": "\(cause.map { "\($0)" } ?? "none")",
            ])
        }
    }

    /// Connects, retrying transient failures (server starting, refused, socket missing,
    /// timeout) with exponential backoff and jitter; other failures throw at once.
    public static func connect(url: String, connectTimeout: Int = 10, attempts: Int = 5,
                               initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
                               logger: Logger? = nil) throws(PostgresError) -> Connection {
        let policy = RetryPolicy(attempts: attempts, initialDelay: initialDelay, maxDelay: maxDelay)
        return try policy.run(logger: logger ?? Logger(label: "spectra.postgres")) { () throws(PostgresError) in
            try Connection(url: url, connectTimeout: connectTimeout, logger: logger)
        }
    }

    /// `connect(url:…)` with delays in seconds.
    public static func connect(url: String, connectTimeout: Int = 10, attempts: Int,
                               initialDelay: TimeInterval, maxDelay: TimeInterval,
                               logger: Logger? = nil) throws(PostgresError) -> Connection {
        try connect(url: url, connectTimeout: connectTimeout, attempts: attempts,
                    initialDelay: .milliseconds(Int64(initialDelay * 1000)),
                    maxDelay: .milliseconds(Int64(maxDelay * 1000)), logger: logger)
    }
}
