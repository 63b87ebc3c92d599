import Foundation
import Logging

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
