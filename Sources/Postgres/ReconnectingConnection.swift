import Logging

/// A connection that re-establishes itself when the server went away (restart, failover,
/// idle timeout) and then retries the interrupted operation once.
///
/// When a retry is safe: only an operation that started outside a transaction is retried,
/// because a lost connection rolls back an open transaction and the statements before the
/// failure cannot be replayed here. A single statement sent in autocommit mode may have
/// committed just before the connection dropped, so a retry runs it a second time: that is
/// harmless for reads and for idempotent writes (upserts, updates fenced by a lease token),
/// which is what Spectra's job protocol uses. For a write that must not run twice, use
/// `connection` directly, or `withTransaction`, which is retried only when the connection
/// was lost before COMMIT was sent (so the server discarded the transaction).
public final class ReconnectingConnection {
    /// The current underlying connection; replaced after a reconnect.
    public private(set) var connection: Connection
    /// How patiently to re-establish the connection.
    public let policy: RetryPolicy
    private let url: String
    private let connectTimeout: Int
    private let logger: Logger

    /// Connects, retrying transient failures according to `policy`.
    public init(url: String, connectTimeout: Int = 10, policy: RetryPolicy = RetryPolicy(),
                logger: Logger? = nil) throws(PostgresError) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.policy = policy
        self.logger = logger ?? Logger(label: "spectra.postgres")
        connection = try Connection.connect(url: url, connectTimeout: connectTimeout, attempts: policy.attempts,
                                            initialDelay: policy.initialDelay, maxDelay: policy.maxDelay,
                                            logger: logger)
    }

    /// Runs a query, reconnecting and retrying once if the connection was lost.
    public func query(_ query: SQLQuery) throws(PostgresError) -> [Row] {
        try withReconnect { connection throws(PostgresError) in try connection.query(query) }
    }

    /// Runs a statement, reconnecting and retrying once if the connection was lost;
    /// see the type's documentation for when that is safe.
    @discardableResult
    public func execute(_ query: SQLQuery) throws(PostgresError) -> Int {
        try withReconnect { connection throws(PostgresError) in try connection.execute(query) }
    }

    /// Runs `body` on a live connection; if it fails because the connection was lost and
    /// no transaction was open when it started, reconnects and runs it once more.
    public func withReconnect<T>(_ body: (Connection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        if connection.isClosed { try reconnect(after: nil) }
        let startedInTransaction = connection.isInTransaction
        do {
            return try body(connection)
        } catch where error.isConnectionLoss && !startedInTransaction {
            try reconnect(after: error)
            return try body(connection)
        }
    }

    /// Runs `body` in a transaction; if the connection is lost before COMMIT is sent, the
    /// server has rolled it back, so it reconnects and runs the whole transaction once more.
    /// `body` may therefore run twice: keep side effects outside the database out of it.
    @discardableResult
    public func withTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        if connection.isClosed { try reconnect(after: nil) }
        let startedInTransaction = connection.isInTransaction
        var commitSent = false
        do {
            return try connection.runTransaction(body, commitSent: &commitSent)
        } catch let error as PostgresError where error.isConnectionLoss && !commitSent && !startedInTransaction {
            try reconnect(after: error)
            return try connection.withTransaction(body)
        }
    }

    /// Replaces the connection with a fresh one, retrying according to `policy`.
    public func reconnect() throws(PostgresError) {
        try reconnect(after: nil)
    }

    private func reconnect(after error: PostgresError?) throws(PostgresError) {
        logger.warning("connection lost; reconnecting", metadata: [
            "server": "\(connection.server)", "error": "\(error.map { $0.message } ?? "closed")",
        ])
        connection.close()
        connection = try Connection.connect(url: url, connectTimeout: connectTimeout, attempts: policy.attempts,
                                            initialDelay: policy.initialDelay, maxDelay: policy.maxDelay,
                                            logger: logger)
    }
}
