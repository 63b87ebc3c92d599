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

/// How often and how patiently to retry establishing a connection.
public struct RetryPolicy: Sendable {
    /// Total tries, including the first.
    public var attempts: Int
    /// Delay before the second try; doubled for each later one.
    public var initialDelay: Duration
    /// Upper bound on one delay.
    public var maxDelay: Duration

    /// Creates a policy.
    public init(attempts: Int = 5, initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The delay before try `attempt + 1`, with ±25 % jitter so many workers that lost
    /// the same server do not reconnect in lockstep.
    func delay(afterAttempt attempt: Int) -> Duration {
        let base = initialDelay * Int(1 << min(attempt - 1, 20))
        let capped = min(base, maxDelay)
        return capped * Double.random(in: 0.75...1.25)
    }

    /// Runs `operation`, retrying while it fails with a transient connection error.
    func run<T>(logger: Logger, _ operation: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        var attempt = 1
        while true {
            do {
                return try operation()
            } catch where attempt < attempts && error.isTransientConnectFailure {
                let delay = delay(afterAttempt: attempt)
                logger.info("connection failed; retrying", metadata: [
                    "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error.message)",
                ])
                Thread.sleep(forTimeInterval: delay.seconds)
                attempt += 1
            }
        }
    }
}

extension PostgresError {
    /// Failures that waiting can fix: a server not up yet, restarting, or overloaded.
    /// Authentication errors and unknown databases are not retried.
    var isTransientConnectFailure: Bool {
        guard code == .connectionFailed || code == .timeout || code == .connectionLost else { return false }
        let transient = [
            "could not connect", "Connection refused", "No such file or directory", "starting up",
            "shutting down", "timeout expired", "too many clients", "closed the connection",
            "recovery mode", "could not receive data", "could not send data", "Connection reset",
        ]
        return transient.contains { message.contains($0) }
    }
}

extension Duration {
    /// The duration in seconds, for APIs that take a TimeInterval.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
