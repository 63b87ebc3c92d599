import Foundation
import Postgres
import Logging
import Synchronization

/// Fresh, empty databases for tests: on the server named by `DATABASE_URL` when it is
/// set, else on one private server per process, started on first use and removed at exit.
public enum TemporaryDatabase {
    private static let shared = Mutex<EmbeddedServer?>(nil)

    /// Creates a database named `spectra_test_<random>` and returns its URL.
    public static func create(logger: Logger? = nil) throws(PostgresError) -> String {
        let logger = logger ?? TemporaryCleanup.quietLogger
        if let external = ProcessInfo.processInfo.environment["DATABASE_URL"], !external.isEmpty {
            return try create(onServer: external, logger: logger)
        }
        let server = try sharedServer(logger: logger)
        let name = randomName()
        try server.createDatabaseIfMissing(name)
        return server.url(database: name)
    }

    /// Creates a fresh database on the server `adminURL` points at (the database it names
    /// is only used to connect), dropped again at process exit, and returns its URL.
    public static func create(onServer adminURL: String, logger: Logger? = nil) throws(PostgresError) -> String {
        let admin = try Connection.connect(url: adminURL, logger: logger ?? TemporaryCleanup.quietLogger)
        let name = randomName()
        try admin.unsafeExecute("CREATE DATABASE \(SQLQuery.quoteIdentifier(name))")
        TemporaryCleanup.registerExternal(adminURL: adminURL, name: name)
        return ConnectionString.replacingDatabase(in: adminURL, with: name)
    }

    private static func randomName() -> String {
        "spectra_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// The process's private server, started on first call; callers wait while it starts.
    static func sharedServer(logger: Logger) throws(PostgresError) -> EmbeddedServer {
        try shared.withLock { (server: inout EmbeddedServer?) throws(PostgresError) -> EmbeddedServer in
            if let server { return server }
            let directory = try TemporaryCleanup.makeDirectory()
            let fresh = EmbeddedServer(dataDirectory: directory.appendingPathComponent("data"),
                                       database: "postgres", durable: false, logger: logger)
            TemporaryCleanup.register(fresh, in: directory)
            do throws(PostgresError) {
                try fresh.start()
            } catch {
                TemporaryCleanup.remove(directory)
                throw error
            }
            server = fresh
            return fresh
        }
    }
}
