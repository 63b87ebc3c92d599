import Foundation
import Postgres
import Logging
import Synchronization

/// A private throwaway server for tests that stop or restart it; its directory is
/// removed by `remove()`, at deinit, or at process exit, whichever comes first.
public final class TemporaryServer: Sendable {
    /// The server.
    public let server: EmbeddedServer
    /// The directory holding the data directory.
    public let directory: URL
    private let removed = Mutex(false)

    /// Creates and starts a server with an empty database `database`; fsync and
    /// synchronous commit are off unless `durable` (for tests about commits themselves).
    public init(database: String = "spectra", durable: Bool = false, logger: Logger? = nil) throws(PostgresError) {
        directory = try TemporaryCleanup.makeDirectory()
        server = EmbeddedServer(dataDirectory: directory.appendingPathComponent("data"), database: database,
                                durable: durable, logger: logger ?? TemporaryCleanup.quietLogger)
        TemporaryCleanup.register(server, in: directory)
        do {
            try server.start()
        } catch {
            TemporaryCleanup.remove(directory)
            throw error
        }
    }

    deinit { remove() }

    /// The URL of the server's database.
    public var url: String { server.url }

    /// Starts the server if it is stopped.
    public func start() throws(PostgresError) { try server.start() }

    /// Stops the server (fast shutdown).
    public func stop() throws(PostgresError) { try server.stop() }

    /// Stops and starts the server, disconnecting every client.
    public func restart() throws(PostgresError) {
        try server.stop()
        try server.start()
    }

    /// Stops the server and deletes its directory; later calls do nothing.
    public func remove() {
        let first = removed.withLock { removed in
            defer { removed = true }
            return !removed
        }
        if first { TemporaryCleanup.remove(directory) }
    }
}
